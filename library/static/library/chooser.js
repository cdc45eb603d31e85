"use strict";
// The library's choosers (library/choosers.py). Without this script a chooser is a number field
// and a link that opens the library in a new tab. With it, a button opens the same pages in a
// dialog (search, tags, pages and the upload form load inside it); choosing an item, or
// uploading one, fills the field and shows the chosen item beside it.
(function () {
  const HEADER = "X-Library-Chooser";
  let dialog = null;
  let title = null;
  let closeButton = null;
  let body = null;
  let current = null;

  document.documentElement.classList.add("library-js");

  function input(root) {
    return root.querySelector("input.library-chooser-input");
  }

  function prepare(root) {
    if (root.dataset.prepared || root.closest(".empty-form")) {
      return;
    }
    root.dataset.prepared = "1";
    // A row added in the page: Django renumbers ids (__prefix__), not the references to them.
    root.querySelector("[data-chooser-open]").setAttribute(
      "aria-describedby", root.querySelector("[data-chooser-chosen]").id
    );
    root.querySelector(".library-chooser-link").setAttribute(
      "aria-describedby", root.querySelector(".library-chooser-help").id
    );
    root.querySelector("[data-chooser-open]").hidden = false;
    root.querySelector("[data-chooser-clear]").hidden = !input(root).value;
  }

  function prepareAll(container) {
    for (const root of container.querySelectorAll("[data-library-chooser]")) {
      prepare(root);
    }
  }

  function showChosen(root, item) {
    const chosen = root.querySelector("[data-chooser-chosen]");
    chosen.replaceChildren();
    const open = root.querySelector("[data-chooser-open]");
    if (!item) {
      const none = document.createElement("span");
      none.className = "library-chooser-none";
      none.textContent = root.dataset.textNone;
      chosen.append(none);
      open.textContent = root.dataset.textChoose;
      root.querySelector("[data-chooser-clear]").hidden = true;
      return;
    }
    if (item.thumbnail) {
      const picture = document.createElement("img");
      picture.src = item.thumbnail;
      picture.alt = "";
      picture.className = "library-chooser-thumb";
      chosen.append(picture);
    }
    const name = document.createElement("span");
    name.className = "library-chooser-title";
    name.textContent = item.title;
    const details = document.createElement("span");
    details.className = "library-chooser-details";
    details.textContent =
      root.dataset.textNumber.replace("{number}", item.id) + (item.details ? ", " + item.details : "");
    chosen.append(name, " ", details);
    open.textContent = root.dataset.textChange;
    root.querySelector("[data-chooser-clear]").hidden = false;
  }

  function choose(item) {
    const field = input(current);
    field.value = item.id;
    field.dispatchEvent(new Event("change", { bubbles: true }));
    showChosen(current, item);
    dialog.close();
  }

  function makeDialog() {
    dialog = document.createElement("dialog");
    dialog.className = "library-chooser-dialog";
    dialog.setAttribute("aria-labelledby", "library-chooser-dialog-title");
    const header = document.createElement("div");
    header.className = "library-chooser-dialog-header";
    title = document.createElement("h2");
    title.id = "library-chooser-dialog-title";
    closeButton = document.createElement("button");
    closeButton.type = "button";
    closeButton.className = "button library-chooser-dialog-close";
    closeButton.addEventListener("click", () => dialog.close());
    body = document.createElement("div");
    body.className = "library-chooser-dialog-body";
    header.append(title, closeButton);
    dialog.append(header, body);
    document.body.append(dialog);
    dialog.addEventListener("close", () => {
      if (current) {
        current.querySelector("[data-chooser-open]").focus();
      }
    });
    dialog.addEventListener("click", onDialogClick);
    dialog.addEventListener("submit", onDialogSubmit);
  }

  async function load(url, options) {
    body.setAttribute("aria-busy", "true");
    const note = document.createElement("p");
    note.className = "library-chooser-loading";
    note.textContent = current.dataset.textLoading;
    body.replaceChildren(note);
    try {
      const response = await fetch(url, {
        credentials: "same-origin",
        headers: { [HEADER]: "1" },
        ...options,
      });
      const type = response.headers.get("Content-Type") || "";
      if (response.ok && type.includes("application/json")) {
        choose(await response.json());
        return;
      }
      // 400: the page with what was wrong (a filter, the upload's errors).
      if (!(response.ok || response.status === 400) || !type.includes("text/html")) {
        throw new Error(String(response.status));
      }
      // The admin's own markup (same origin, its texts escaped by the templates).
      body.innerHTML = await response.text();
      const focus = body.querySelector(".errorlist ~ * input, .errorlist + input, input[type=search]");
      if (focus) {
        focus.focus();
      }
    } catch (error) {
      const failed = document.createElement("p");
      failed.className = "errornote";
      failed.textContent = current.dataset.textFailed;
      body.replaceChildren(failed);
    } finally {
      body.removeAttribute("aria-busy");
    }
  }

  function onDialogClick(event) {
    const chooseButton = event.target.closest("[data-chooser-choose]");
    if (chooseButton) {
      choose({
        id: chooseButton.dataset.id,
        title: chooseButton.dataset.title,
        thumbnail: chooseButton.dataset.thumbnail,
        details: chooseButton.dataset.details,
      });
      return;
    }
    const link = event.target.closest("a[data-chooser-page], a.library-chooser-reset");
    if (link) {
      event.preventDefault();
      load(link.href);
    }
  }

  function onDialogSubmit(event) {
    const form = event.target;
    if (form.matches("[data-chooser-search]")) {
      event.preventDefault();
      const query = new URLSearchParams();
      for (const [key, value] of new FormData(form)) {
        if (value) {
          query.append(key, value);
        }
      }
      const address = query.toString() ? form.action + "?" + query : form.action;
      load(address);
    } else if (form.matches("[data-chooser-upload]")) {
      event.preventDefault();
      load(form.action, { method: "POST", body: new FormData(form) });
    }
  }

  document.addEventListener("click", (event) => {
    const open = event.target.closest("[data-chooser-open]");
    const clear = event.target.closest("[data-chooser-clear]");
    if (open) {
      current = open.closest("[data-library-chooser]");
      if (!dialog) {
        makeDialog();
      }
      title.textContent = current.dataset.textChoose;
      closeButton.textContent = current.dataset.textClose;
      dialog.showModal();
      load(current.dataset.chooserUrl);
    } else if (clear) {
      const root = clear.closest("[data-library-chooser]");
      const field = input(root);
      field.value = "";
      field.dispatchEvent(new Event("change", { bubbles: true }));
      showChosen(root, null);
      root.querySelector("[data-chooser-open]").focus();
    }
  });

  // A new inline row (Django's admin sends formset:added on it).
  document.addEventListener("formset:added", (event) => prepareAll(event.target));

  function start() {
    prepareAll(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
