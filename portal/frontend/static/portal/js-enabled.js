// Marks the page as having JavaScript before it is drawn (GOV.UK Frontend styles depend on it).
// A file rather than an inline script: the Content-Security-Policy allows scripts from the site only.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
