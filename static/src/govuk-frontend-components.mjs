// The GOV.UK Frontend 6 components whose JavaScript Common Ground's pages use (a
// data-module="govuk-…" in templates/), bundled by `make assets` into
// static/vendor/govuk-frontend-<version>.components.min.js. initAll() starts each on the page.
import {
  Button,
  Checkboxes,
  ErrorSummary,
  NotificationBanner,
  Radios,
  SkipLink,
  createAll,
} from "govuk-frontend";

export const components = [Button, Checkboxes, ErrorSummary, NotificationBanner, Radios, SkipLink];

export function initAll(scope = document) {
  for (const Component of components) createAll(Component, undefined, scope);
}
