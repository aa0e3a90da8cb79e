/* Autosave of an application form.
 *
 * <form data-autosave-url="…" data-saved-at="ISO 8601"> is saved 2 seconds after the last
 * change: a POST of its fields (files excepted) with the X-Requested-With header and the
 * form's CSRF token. The server answers
 *   200 {"ok": true, "saved_at": "ISO", "saved_at_display": "10:42"}
 *   400 {"ok": false, "errors": {"field": ["message", …]}, "message": "…"}
 *   403 / 409 {"ok": false, "message": "…"}   (deadline passed, no longer editable)
 *   401 {"ok": false, "signed_out": true, "message": "…", "login_url": "…"}   (the session
 *       ended: saving stops, the copy stays in this browser, the [data-autosave-login] link
 *       leads to the sign-in page, which comes back to this page, where the copy is offered)
 * Treated the same way: an answer redirected to the sign-in page (the link's path), and a
 * 403 that is not JSON (the CSRF check failed: the page's token is stale because the user
 * signed out or in again meanwhile) — the link, which already carries next = this page,
 * reloads the page with a fresh token once signed in.
 *
 * The status element [data-autosave-status] (aria-live="polite") and the restore banner
 * [data-autosave-restore] come from templates/includes/autosave_status.html, which carries the
 * translated texts in data-text-* attributes.
 *
 * A copy of the values is kept in localStorage after every change and cleared once the
 * server has saved them; on the next visit a copy newer than data-saved-at is offered back.
 * Pending changes are sent with fetch(…, {keepalive: true}) when the page is hidden — once:
 * "visibilitychange" and "pagehide" both fire when the page is left, and the second finds
 * those changes already on their way (a change made after that send is sent again).
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 2000;
  var STORAGE_PREFIX = "qmi-autosave:";
  var ERROR_SUFFIX = "-autosave-error";

  function text(element, name, replacements) {
    var value = (element && element.getAttribute("data-text-" + name)) || "";
    Object.keys(replacements || {}).forEach(function (key) {
      value = value.split("{" + key + "}").join(replacements[key]);
    });
    return value;
  }

  /* "Not saved: {message}", without saying "Not saved:" twice when the server's message
     already starts with it. */
  function errorText(status, message) {
    var template = (status && status.getAttribute("data-text-error")) || "{message}";
    var prefix = template.split("{message}")[0].trim();
    if (prefix && message.trim().toLowerCase().indexOf(prefix.toLowerCase()) === 0) {
      return message;
    }
    return text(status, "error", { message: message });
  }

  function storageGet(key) {
    try {
      var raw = window.localStorage.getItem(key);
      return raw ? JSON.parse(raw) : null;
    } catch (error) {
      return null;
    }
  }

  function storageSet(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch (error) {
      /* private mode or full storage: autosave still works without the local copy */
    }
  }

  function storageRemove(key) {
    try {
      window.localStorage.removeItem(key);
    } catch (error) {
      /* ignore */
    }
  }

  /* The controls whose values are saved: named, enabled, not files, not buttons, not the
     hidden bookkeeping fields (CSRF token, formset management forms). */
  function savedControls(form) {
    return Array.prototype.filter.call(form.elements, function (control) {
      if (!control.name || control.disabled) {
        return false;
      }
      var type = (control.type || "").toLowerCase();
      return ["file", "hidden", "submit", "button", "reset", "image"].indexOf(type) === -1 &&
        control.tagName !== "BUTTON" && control.tagName !== "FIELDSET" &&
        control.tagName !== "OBJECT" && control.tagName !== "OUTPUT";
    });
  }

  /* [[name, value], …] of the saved controls, in document order, as FormData would send them. */
  function snapshot(form) {
    var entries = [];
    savedControls(form).forEach(function (control) {
      var type = (control.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        if (control.checked) {
          entries.push([control.name, control.value]);
        }
      } else if (control.tagName === "SELECT" && control.multiple) {
        Array.prototype.forEach.call(control.options, function (option) {
          if (option.selected) {
            entries.push([control.name, option.value]);
          }
        });
      } else {
        entries.push([control.name, control.value]);
      }
    });
    return entries;
  }

  function groupByName(entries) {
    var values = {};
    entries.forEach(function (entry) {
      (values[entry[0]] = values[entry[0]] || []).push(entry[1]);
    });
    return values;
  }

  function restore(form, entries) {
    var values = groupByName(entries);
    var seen = {};
    savedControls(form).forEach(function (control) {
      var name = control.name;
      var type = (control.type || "").toLowerCase();
      var list = values[name] || [];
      var changed = false;
      if (type === "checkbox" || type === "radio") {
        var checked = list.indexOf(control.value) !== -1;
        changed = control.checked !== checked;
        control.checked = checked;
      } else if (control.tagName === "SELECT" && control.multiple) {
        Array.prototype.forEach.call(control.options, function (option) {
          var selected = list.indexOf(option.value) !== -1;
          changed = changed || option.selected !== selected;
          option.selected = selected;
        });
      } else {
        // Several text controls may share a name: take their values in order.
        var index = seen[name] || 0;
        seen[name] = index + 1;
        if (index < list.length && control.value !== list[index]) {
          control.value = list[index];
          changed = true;
        }
      }
      if (changed) {
        control.dispatchEvent(new Event("input", { bubbles: true }));
        control.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }

  function sameEntries(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  /* ---- Errors tied to their fields ------------------------------------------------------ */

  function controlsNamed(form, name) {
    return Array.prototype.filter.call(form.elements, function (control) {
      return control.name === name;
    });
  }

  /* The element after which the message goes and whose id names it: the group wrapper of a
     radio or checkbox list (Django gives it the id of the field), else the control itself. */
  function anchorFor(form, name) {
    var controls = controlsNamed(form, name);
    if (!controls.length) {
      return null;
    }
    var first = controls[0];
    var isGroup = controls.length > 1 || first.type === "radio";
    if (isGroup && first.id) {
      var wrapper = document.getElementById(first.id.replace(/_\d+$/, ""));
      if (wrapper && wrapper !== first && wrapper.contains(first)) {
        return { id: wrapper.id, after: wrapper, controls: controls };
      }
      var fieldset = first.closest("fieldset");
      var onlyThisField = fieldset && Array.prototype.every.call(fieldset.elements, function (c) {
        return !c.name || c.name === name;
      });
      if (fieldset && onlyThisField && form.contains(fieldset)) {
        return { id: first.id.replace(/_\d+$/, ""), after: fieldset.lastElementChild || fieldset,
          inside: fieldset, controls: controls };
      }
    }
    var after = first;
    var inputGroup = first.closest(".input-group");
    if (inputGroup) {
      after = inputGroup;
    } else if (first.type === "checkbox" || first.type === "radio") {
      after = first.closest(".form-check") || first;
    }
    return { id: first.id || (form.id || "form") + "-" + name, after: after, controls: controls };
  }

  function addToken(element, attribute, token) {
    var tokens = (element.getAttribute(attribute) || "").split(/\s+/).filter(Boolean);
    if (tokens.indexOf(token) === -1) {
      tokens.push(token);
    }
    element.setAttribute(attribute, tokens.join(" "));
  }

  function removeToken(element, attribute, token) {
    var tokens = (element.getAttribute(attribute) || "").split(/\s+/).filter(function (t) {
      return t && t !== token;
    });
    if (tokens.length) {
      element.setAttribute(attribute, tokens.join(" "));
    } else {
      element.removeAttribute(attribute);
    }
  }

  function showFieldError(form, name, messages) {
    var anchor = anchorFor(form, name);
    if (!anchor) {
      return false;
    }
    var errorId = anchor.id + ERROR_SUFFIX;
    var box = document.getElementById(errorId);
    if (!box) {
      box = document.createElement("div");
      box.id = errorId;
      box.className = "invalid-feedback d-block qmi-autosave-error";
      box.setAttribute("data-autosave-error-for", name);
      if (anchor.inside && anchor.after === anchor.inside) {
        anchor.inside.appendChild(box);
      } else {
        anchor.after.insertAdjacentElement("afterend", box);
      }
    }
    box.textContent = messages.join(" ");
    anchor.controls.forEach(function (control) {
      control.setAttribute("aria-invalid", "true");
      control.setAttribute("data-autosave-invalid", "true");
      addToken(control, "aria-describedby", errorId);
      if (control.type !== "checkbox" && control.type !== "radio") {
        control.classList.add("is-invalid");
      }
    });
    return true;
  }

  function clearFieldError(form, name) {
    Array.prototype.forEach.call(
      form.querySelectorAll("[data-autosave-error-for]"),
      function (box) {
        if (box.getAttribute("data-autosave-error-for") !== name) {
          return;
        }
        controlsNamed(form, name).forEach(function (control) {
          removeToken(control, "aria-describedby", box.id);
          if (control.getAttribute("data-autosave-invalid") === "true") {
            control.removeAttribute("data-autosave-invalid");
            // Keep aria-invalid if the server page itself marked the field (another message).
            var describedBy = control.getAttribute("aria-describedby") || "";
            if (!/_error(\s|$)/.test(describedBy)) {
              control.removeAttribute("aria-invalid");
              control.classList.remove("is-invalid");
            }
          }
        });
        box.parentNode.removeChild(box);
      }
    );
  }

  function clearAllErrors(form, except) {
    var names = {};
    Array.prototype.forEach.call(form.querySelectorAll("[data-autosave-error-for]"), function (box) {
      names[box.getAttribute("data-autosave-error-for")] = true;
    });
    Object.keys(names).forEach(function (name) {
      if (!except || !Object.prototype.hasOwnProperty.call(except, name)) {
        clearFieldError(form, name);
      }
    });
  }

  /* ---- One autosaved form --------------------------------------------------------------- */

  function Autosave(form) {
    this.form = form;
    this.url = form.getAttribute("data-autosave-url");
    this.storageKey = STORAGE_PREFIX + this.url;
    this.status = form.querySelector("[data-autosave-status]") ||
      document.querySelector("[data-autosave-status]");
    this.banner = form.querySelector("[data-autosave-restore]") ||
      document.querySelector("[data-autosave-restore]");
    this.timer = null;
    this.version = 0; // bumped on every change
    this.savedVersion = 0; // the version the server has
    this.inFlight = 0; // requests sent and not answered yet
    this.keepaliveVersion = null; // the version a keepalive request is sending now
    this.stopped = false; // 403 / 409: the application can no longer be edited
    this.signedOut = false; // 401: typing is still kept in this browser, not sent
    this.lastFailed = false;

    this.offerRestore();

    var self = this;
    form.addEventListener("input", function (event) { self.changed(event); });
    form.addEventListener("change", function (event) { self.changed(event); });
    form.addEventListener("submit", function () { self.cancelTimer(); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        self.flush();
      }
    });
    window.addEventListener("pagehide", function () { self.flush(); });
    window.addEventListener("online", function () {
      if (self.isDirty()) {
        self.schedule(0);
      }
    });
    window.addEventListener("beforeunload", function (event) {
      // Only when the last attempt failed: the changes are not on the server.
      if (self.isDirty() && self.lastFailed && !self.stopped && !self.signedOut) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  Autosave.prototype.isDirty = function () {
    return this.version !== this.savedVersion;
  };

  Autosave.prototype.changed = function (event) {
    if (this.stopped || !event.target || !event.target.name ||
        (event.target.type || "").toLowerCase() === "file") {
      return;
    }
    this.version += 1;
    storageSet(this.storageKey, { at: new Date().toISOString(), values: snapshot(this.form) });
    if (!this.signedOut) {
      this.schedule(DEBOUNCE_MS);
    }
  };

  Autosave.prototype.cancelTimer = function () {
    if (this.timer) {
      window.clearTimeout(this.timer);
      this.timer = null;
    }
  };

  Autosave.prototype.schedule = function (delay) {
    var self = this;
    this.cancelTimer();
    this.timer = window.setTimeout(function () {
      self.timer = null;
      self.save(false);
    }, delay);
  };

  Autosave.prototype.flush = function () {
    if (!this.isDirty() || this.stopped) {
      return;
    }
    this.cancelTimer();
    if (this.keepaliveVersion === this.version) {
      return; // these changes are already on their way (visibilitychange, then pagehide)
    }
    this.save(true);
  };

  Autosave.prototype.body = function () {
    var data = new FormData(this.form);
    Array.prototype.forEach.call(this.form.elements, function (control) {
      if (control.name && (control.type || "").toLowerCase() === "file") {
        data.delete(control.name);
      }
    });
    return data;
  };

  Autosave.prototype.loginLink = function () {
    return this.form.querySelector("[data-autosave-login]") ||
      document.querySelector("[data-autosave-login]");
  };

  /* Did the answer come from the sign-in page, the request having been redirected there? */
  Autosave.prototype.isSignInPage = function (response) {
    var login = this.loginLink();
    if (!response.redirected || !response.url || !login) {
      return false;
    }
    try {
      var base = window.location ? window.location.href : undefined;
      var loginPath = new URL(login.getAttribute("href"), base).pathname;
      return new URL(response.url, base).pathname === loginPath;
    } catch (error) {
      return false;
    }
  };

  Autosave.prototype.csrfToken = function () {
    var input = this.form.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };

  Autosave.prototype.setStatus = function (message, isError) {
    if (!this.status) {
      return;
    }
    this.status.textContent = message;
    this.status.classList.toggle("is-error", Boolean(isError));
  };

  Autosave.prototype.save = function (keepalive) {
    if (this.stopped || this.signedOut || !this.isDirty()) {
      return;
    }
    if (this.inFlight > 0 && !keepalive) {
      this.schedule(DEBOUNCE_MS); // try again once the current request is answered
      return;
    }
    var self = this;
    var sentVersion = this.version;
    this.inFlight += 1;
    if (keepalive) {
      this.keepaliveVersion = sentVersion;
    }
    this.setStatus(text(this.status, "saving"), false);

    fetch(this.url, {
      method: "POST",
      body: this.body(),
      credentials: "same-origin",
      keepalive: Boolean(keepalive),
      headers: {
        "X-Requested-With": "XMLHttpRequest",
        "X-CSRFToken": this.csrfToken(),
        Accept: "application/json",
      },
    })
      .then(function (response) {
        if (self.isSignInPage(response)) {
          return { status: 401, payload: {}, json: false };
        }
        return response.json().then(
          function (payload) {
            return { status: response.status, payload: payload || {}, json: true };
          },
          function () { return { status: response.status, payload: {}, json: false }; }
        );
      })
      .then(function (result) { self.answered(result, sentVersion); })
      .catch(function () {
        self.lastFailed = true;
        self.setStatus(text(self.status, "offline"), true);
      })
      .then(function () {
        self.inFlight -= 1;
        if (keepalive && self.keepaliveVersion === sentVersion) {
          self.keepaliveVersion = null; // answered: a failure may be sent again
        }
      });
  };

  Autosave.prototype.answered = function (result, sentVersion) {
    var payload = result.payload;
    if (result.status >= 200 && result.status < 300 && payload.ok) {
      this.lastFailed = false;
      if (sentVersion > this.savedVersion) {
        this.savedVersion = sentVersion;
      }
      if (payload.saved_at) {
        this.form.setAttribute("data-saved-at", payload.saved_at);
      }
      clearAllErrors(this.form);
      this.setStatus(text(this.status, "saved", { time: payload.saved_at_display || "" }), false);
      if (!this.isDirty()) {
        storageRemove(this.storageKey);
      }
      return;
    }
    this.lastFailed = true;
    var message = payload.message || "";
    if (result.status === 400 && payload.errors) {
      var errors = payload.errors;
      clearAllErrors(this.form, errors);
      var unplaced = [];
      var self = this;
      Object.keys(errors).forEach(function (name) {
        var messages = [].concat(errors[name]);
        if (name === "__all__" || !showFieldError(self.form, name, messages)) {
          unplaced = unplaced.concat(messages);
        }
      });
      if (unplaced.length) {
        message = (message ? message + " " : "") + unplaced.join(" ");
      }
    } else if (result.status === 401 || (result.status === 403 && !result.json)) {
      this.signedOut = true; // what is typed from now on is kept here for after the sign-in
      this.cancelTimer();
      var login = this.loginLink();
      if (login) {
        if (payload.login_url) {
          login.setAttribute("href", payload.login_url);
        } // else its own href: the sign-in page, then back to this page
        login.hidden = false;
      }
      if (!message) {
        message = text(this.status, result.status === 401 ? "signed-out" : "stale");
      }
    } else if (result.status === 403 || result.status === 409) {
      this.stopped = true; // saving again cannot succeed; the local copy is kept
      this.cancelTimer();
    } else if (!message) {
      this.setStatus(text(this.status, "failed"), true);
      return;
    }
    this.setStatus(errorText(this.status, message), true);
  };

  Autosave.prototype.offerRestore = function () {
    var stored = storageGet(this.storageKey);
    if (!stored || !stored.values || !stored.at) {
      return;
    }
    var savedAt = Date.parse(String(this.form.getAttribute("data-saved-at") || "")
      .replace(/(\.\d{3})\d+/, "$1"));
    var localAt = Date.parse(stored.at);
    if ((!isNaN(savedAt) && localAt <= savedAt) || sameEntries(stored.values, snapshot(this.form))) {
      storageRemove(this.storageKey); // the server already has these values or newer ones
      return;
    }
    if (!this.banner) {
      return;
    }
    var self = this;
    var banner = this.banner;
    banner.textContent = "";
    var message = document.createElement("p");
    message.className = "mb-0";
    message.textContent = text(banner, "found");
    var restoreButton = document.createElement("button");
    restoreButton.type = "button";
    restoreButton.className = "btn btn-primary btn-sm";
    restoreButton.textContent = text(banner, "restore");
    var discardButton = document.createElement("button");
    discardButton.type = "button";
    discardButton.className = "btn btn-outline-secondary btn-sm";
    discardButton.textContent = text(banner, "discard");
    banner.appendChild(message);
    banner.appendChild(restoreButton);
    if (discardButton.textContent) {
      banner.appendChild(discardButton);
    }
    banner.setAttribute("role", "region");
    banner.setAttribute("aria-label", text(banner, "found"));
    banner.hidden = false;

    restoreButton.addEventListener("click", function () {
      restore(self.form, stored.values);
      self.version += 1;
      storageSet(self.storageKey, { at: new Date().toISOString(), values: snapshot(self.form) });
      banner.textContent = "";
      var done = document.createElement("p");
      done.className = "mb-0";
      done.setAttribute("role", "status");
      done.textContent = text(banner, "restored");
      banner.appendChild(done);
      banner.removeAttribute("aria-label");
      banner.removeAttribute("role");
      self.schedule(0);
      // Keep the keyboard user in the form: focus the first restored field.
      var first = savedControls(self.form)[0];
      if (first) {
        first.focus();
      }
    });
    discardButton.addEventListener("click", function () {
      storageRemove(self.storageKey);
      banner.hidden = true;
      banner.textContent = "";
      var first = savedControls(self.form)[0];
      if (first) {
        first.focus();
      }
    });
  };

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-autosave-url]"), function (form) {
      if (!form.__qmiAutosave && window.fetch && window.FormData) {
        form.__qmiAutosave = new Autosave(form);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
