// Starts GOV.UK Frontend's components (from a file: the Content-Security-Policy forbids inline scripts).
import { initAll } from "../vendor/govuk/govuk-frontend.min.js";

initAll();
