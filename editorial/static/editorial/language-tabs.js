// The languages of a change form as tabs (editorial/language_tabs.py draws them as stacked
// sections, `fieldset.language-section`, which is what readers without JavaScript get). The
// WAI-ARIA tabs pattern: one tab in the tab order, arrow keys, Home and End move between tabs
// and show the language. English is shown first; after a save that failed, the first language
// with an error; else the one last shown for this item in this browser tab (sessionStorage), or
// the one the address names (#language-fr). A tab is marked while its language lacks text where
// the English has some, updated as the translator types in either language.
"use strict";

(function () {
  const STORAGE_PREFIX = "language-tab:";

  function hasText(element) {
    return element.value.trim() !== "";
  }

  function column(field, lang) {
    return `${field}_${lang.replaceAll("-", "_")}`;
  }

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      node.setAttribute(name, value);
    }
    if (text) node.textContent = text;
    return node;
  }

  function remembered(key) {
    try {
      return window.sessionStorage.getItem(key);
    } catch {
      return null; // storage refused: start on English
    }
  }

  function remember(key, lang) {
    try {
      window.sessionStorage.setItem(key, lang);
    } catch {
      // storage refused: nothing remembered
    }
  }

  function setUp(sections) {
    const form = sections[0].closest("form");
    const storageKey = STORAGE_PREFIX + window.location.pathname;
    const container = element("div", { class: "language-tabs" });
    const tablist = element("div", {
      role: "tablist",
      class: "language-tablist",
      "aria-label": sections[0].dataset.tabsLabel || "",
    });
    container.append(tablist);
    sections[0].before(container);

    const tabs = sections.map((section) => {
      const lang = section.dataset.lang;
      const legend = section.querySelector(".language-legend");
      // The panel: a fieldset may not take the tabpanel role, so a box around it does.
      const panel = element("div", {
        role: "tabpanel",
        id: `language-panel-${lang}`,
        class: "language-panel",
        "aria-labelledby": `language-tab-${lang}`,
      });
      const tab = element("button", {
        type: "button",
        role: "tab",
        id: `language-tab-${lang}`,
        class: "language-tab",
        "aria-controls": panel.id,
        "aria-selected": "false",
        tabindex: "-1",
      });
      tab.append(element("span", { class: "language-tab-name", lang }, section.dataset.name));
      const symbol = element("span", { class: "language-tab-mark", "aria-hidden": "true" }, "●");
      const said = element("span", { class: "language-tab-said visually-hidden" });
      tab.append(symbol, said);
      tablist.append(tab);
      panel.append(section);
      container.append(panel);
      return { tab, panel, section, lang, legend, symbol, said };
    });

    function show(index, focus) {
      tabs.forEach((item, position) => {
        const selected = position === index;
        item.tab.setAttribute("aria-selected", String(selected));
        item.tab.tabIndex = selected ? 0 : -1;
        item.panel.hidden = !selected;
      });
      if (focus) tabs[index].tab.focus();
    }

    function select(index, focus) {
      show(index, focus);
      remember(storageKey, tabs[index].lang);
    }

    tabs.forEach((item, index) => {
      item.tab.addEventListener("click", () => select(index, false));
    });
    tablist.addEventListener("keydown", (event) => {
      const current = tabs.findIndex((item) => item.tab === document.activeElement);
      if (current < 0) return;
      const moves = {
        ArrowRight: (current + 1) % tabs.length,
        ArrowLeft: (current - 1 + tabs.length) % tabs.length,
        Home: 0,
        End: tabs.length - 1,
      };
      if (!(event.key in moves)) return;
      event.preventDefault();
      select(moves[event.key], true);
    });

    // The marks: the fields whose English has text and whose own language has none.
    function missingCount(item) {
      const fields = (item.section.dataset.fields || "").split(" ").filter(Boolean);
      let count = 0;
      for (const field of fields) {
        const english = form.elements[column(field, "en")];
        const own = form.elements[column(field, item.lang)];
        if (!english || !own || english.value === undefined || own.value === undefined) {
          return null; // a field shown read-only: keep the mark the server gave
        }
        if (hasText(english) && !hasText(own)) count += 1;
      }
      return count;
    }

    function markText(section, count) {
      const pattern =
        count === 1 ? section.dataset.markOne : section.dataset.markMany || section.dataset.markOne;
      return (pattern || "").replace("%(count)d", String(count));
    }

    function mark(item, count) {
      item.section.classList.toggle("language-missing", count > 0);
      item.tab.classList.toggle("language-tab-missing", count > 0);
      item.symbol.hidden = count === 0;
      const text = count > 0 ? markText(item.section, count) : "";
      item.said.textContent = text ? ` (${text})` : "";
      let legendMark = item.legend && item.legend.querySelector(".language-mark");
      if (item.legend && !legendMark && count > 0) {
        legendMark = element("span", { class: "language-mark" });
        item.legend.append(" ", legendMark);
      }
      if (legendMark) legendMark.textContent = count > 0 ? `— ${text}` : "";
    }

    function updateMarks() {
      for (const item of tabs) {
        if (item.section.hasAttribute("data-default")) {
          mark(item, 0);
          continue;
        }
        const count = missingCount(item);
        if (count !== null) mark(item, count);
      }
    }

    // From the server first: the saved item's marks, read-only fields included.
    for (const item of tabs) {
      const count = item.section.classList.contains("language-missing")
        ? Number(item.section.dataset.missing || 1)
        : 0;
      mark(item, count);
    }
    if (form) {
      // An unsaved form shows what it holds: the marks follow the fields from now on.
      form.addEventListener("input", updateMarks);
      form.addEventListener("change", updateMarks);
    }

    // Which tab to show first.
    const withError = tabs.findIndex((item) =>
      item.section.querySelector(".errorlist, .errors"),
    );
    const fromAddress = tabs.findIndex((item) => `#${item.section.id}` === window.location.hash);
    const fromStorage = tabs.findIndex((item) => item.lang === remembered(storageKey));
    const first = [withError, fromAddress, fromStorage].find((index) => index >= 0);
    show(first === undefined ? 0 : first, false);
    container.classList.add("language-tabs-ready");
  }

  function start() {
    const all = [...document.querySelectorAll("fieldset.language-section")];
    // The sections are side by side in the form; one tab list for each run of them.
    const runs = [];
    for (const section of all) {
      const last = runs.at(-1);
      if (last && last.at(-1).nextElementSibling === section) last.push(section);
      else runs.push([section]);
    }
    runs.filter((run) => run.length > 1).forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
