// Security keys and passkeys (WebAuthn): "Add a security key" on the account's security-key page and "Use your
// security key" at the second sign-in step. The server (py_webauthn) gives the options as JSON and checks the
// browser's answer; this file only converts between base64url and bytes and talks to the browser. It is a file
// of its own because the Content-Security-Policy forbids inline script. The page carries every message,
// translated, in data-msg-* attributes.

function fromBase64url(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (ch) => ch.charCodeAt(0));
}

function toBase64url(buffer) {
  let binary = "";
  new Uint8Array(buffer).forEach((byte) => { binary += String.fromCharCode(byte); });
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function supported() {
  return Boolean(window.PublicKeyCredential && navigator.credentials && navigator.credentials.create);
}

function csrfToken(root) {
  const input = root.querySelector("input[name=csrfmiddlewaretoken]")
    || document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

async function post(url, token, body, contentType) {
  const headers = { "X-CSRFToken": token, Accept: "application/json" };
  if (contentType) headers["Content-Type"] = contentType;
  const response = await fetch(url, { method: "POST", credentials: "same-origin", headers, body });
  let data = {};
  try { data = await response.json(); } catch (error) { data = {}; }
  return { ok: response.ok, data };
}

function descriptors(list) {
  return (list || []).map((c) => ({ ...c, id: fromBase64url(c.id) }));
}

function creationOptions(options) {
  return {
    ...options,
    challenge: fromBase64url(options.challenge),
    user: { ...options.user, id: fromBase64url(options.user.id) },
    excludeCredentials: descriptors(options.excludeCredentials),
  };
}

function requestOptions(options) {
  return { ...options, challenge: fromBase64url(options.challenge),
    allowCredentials: descriptors(options.allowCredentials) };
}

// The credential as JSON (WebAuthn's PublicKeyCredentialJSON): the response's byte fields in base64url.
function credentialJSON(credential, fields) {
  const response = credential.response;
  const encoded = { clientDataJSON: toBase64url(response.clientDataJSON) };
  fields.forEach((field) => { encoded[field] = response[field] ? toBase64url(response[field]) : null; });
  return {
    id: credential.id, rawId: toBase64url(credential.rawId), type: credential.type, response: encoded,
    clientExtensionResults: typeof credential.getClientExtensionResults === "function"
      ? credential.getClientExtensionResults() : {},
  };
}

function registrationJSON(credential) {
  const json = credentialJSON(credential, ["attestationObject"]);
  const response = credential.response;
  json.response.transports = typeof response.getTransports === "function" ? response.getTransports() : [];
  return json;
}

function assertionJSON(credential) {
  return credentialJSON(credential, ["authenticatorData", "signature", "userHandle"]);
}

function say(region, text) {
  region.textContent = text;
}

// The browser refused or the person cancelled (NotAllowedError covers both, on purpose), or it failed.
function browserProblem(error, messages) {
  return error && (error.name === "NotAllowedError" || error.name === "AbortError")
    ? messages.msgCancelled : messages.msgFailed;
}

// An error about one field goes next to that field (GOV.UK pattern); anything else into the status region.
function showFieldError(form, fieldName, text, prefix) {
  const input = form.querySelector(`[name="${fieldName}"]`);
  if (!input) return false;
  const group = input.closest(".govuk-form-group");
  const id = `${input.id}-error`;
  let message = document.getElementById(id);
  if (!message) {
    message = document.createElement("p");
    message.id = id;
    message.className = "govuk-error-message";
    input.parentNode.insertBefore(message, input);
  }
  message.textContent = "";
  const hidden = document.createElement("span");
  hidden.className = "govuk-visually-hidden";
  hidden.textContent = prefix;
  message.append(hidden, ` ${text}`);
  group.classList.add("govuk-form-group--error");
  input.classList.add("govuk-input--error");
  input.setAttribute("aria-invalid", "true");
  const described = (input.getAttribute("aria-describedby") || "").split(" ").filter((v) => v && v !== id);
  input.setAttribute("aria-describedby", [...described, id].join(" "));
  input.focus();
  return true;
}

function clearFieldErrors(form) {
  form.querySelectorAll(".govuk-error-message").forEach((node) => node.remove());
  form.querySelectorAll(".govuk-form-group--error").forEach((node) => node.classList.remove("govuk-form-group--error"));
  form.querySelectorAll("[aria-invalid]").forEach((input) => {
    input.removeAttribute("aria-invalid");
    input.classList.remove("govuk-input--error");
    const ids = (input.getAttribute("aria-describedby") || "").split(" ").filter((v) => v && !v.endsWith("-error"));
    if (ids.length) input.setAttribute("aria-describedby", ids.join(" ")); else input.removeAttribute("aria-describedby");
  });
}

// One ceremony: ask the server for the options, hand them to the browser, send its answer back, go on.
async function ceremony({ root, region, button, begin, onRefused, call, answer }) {
  const messages = root.dataset;
  const token = csrfToken(root);
  button.disabled = true;
  try {
    const started = await begin(token);
    if (!started.ok) {
      if (!(onRefused && onRefused(started.data))) say(region, started.data.detail || messages.msgFailed);
      return;
    }
    say(region, messages.msgWorking);
    let credential;
    try {
      credential = await call(started.data);
    } catch (error) {
      say(region, browserProblem(error, messages));
      return;
    }
    const finish = await post(messages.finishUrl, token, JSON.stringify(answer(credential)), "application/json");
    if (!finish.ok) {
      say(region, finish.data.detail || messages.msgFailed);
      return;
    }
    say(region, messages.msgDone);
    window.location.assign(finish.data.redirect);
  } catch (error) {
    say(region, messages.msgFailed);
  } finally {
    button.disabled = false;
  }
}

function setUpAdd(form) {
  const region = document.getElementById("security-key-add-status");
  const button = form.querySelector("button[type=submit]");
  if (!supported()) {
    say(region, form.dataset.msgUnsupported);
    button.disabled = true;
    button.setAttribute("aria-disabled", "true");
    return;
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    ceremony({
      root: form, region, button,
      begin: (token) => post(form.action, token, new FormData(form)),
      onRefused: (data) => Boolean(data.field)
        && showFieldError(form, data.field, data.detail, form.dataset.msgErrorPrefix),
      call: (options) => navigator.credentials.create({ publicKey: creationOptions(options) }),
      answer: registrationJSON,
    });
  });
}

function setUpSignIn(box) {
  const region = document.getElementById("security-key-sign-in-status");
  const button = document.getElementById("security-key-use");
  if (!supported()) {
    say(region, box.dataset.msgUnsupported);
    button.hidden = true;
    return;
  }
  button.addEventListener("click", () => {
    ceremony({
      root: box, region, button,
      begin: (token) => post(box.dataset.beginUrl, token, "", "application/json"),
      call: (options) => navigator.credentials.get({ publicKey: requestOptions(options) }),
      answer: assertionJSON,
    });
  });
}

const addForm = document.getElementById("security-key-add");
if (addForm) setUpAdd(addForm);
const signIn = document.getElementById("security-key-sign-in");
if (signIn) setUpSignIn(signIn);
