"use strict";
// The home page's blocks in the admin (website/admin_home.py). Without this script every block
// shows all its fields (their help says which kinds use them) and staff type the order. With it:
// each block shows only the fields of its kind, and "Move up" / "Move down" buttons reorder the
// blocks (their order numbers are written again, 10, 20, 30…, for the blocks that have a kind).
(function () {
  // The help's "Used by: …" goes: each block shows its kind's fields only.
  document.documentElement.classList.add("home-blocks-js");
  const LANGUAGE_SUFFIX = /_(en|fr|km)$/;

  function blocks(group) {
    return Array.from(group.querySelectorAll(":scope .inline-related")).filter(
      (block) => !block.classList.contains("empty-form")
    );
  }

  function kindSelect(block) {
    return block.querySelector("select.home-block-kind");
  }

  function fieldName(row) {
    for (const name of row.classList) {
      if (name.startsWith("field-")) {
        return name.slice("field-".length).replace(LANGUAGE_SUFFIX, "");
      }
    }
    return "";
  }

  function valueOf(block, name) {
    const field = block.querySelector("select[name$='-" + name + "']");
    return field ? field.value : "";
  }

  // Fields a block of this kind uses only with one of its choices: the chosen partners when
  // "the partners chosen below" is selected; a call to action's page, news item or address as
  // its target says.
  function wanted(block, kind, name) {
    if (kind === "partners" && name === "partner_ids") {
      return valueOf(block, "partners") === "chosen";
    }
    if (kind === "cta") {
      const target = valueOf(block, "target");
      const needs = { page: "page", news_item: "news-item", url: "url" };
      if (name in needs) {
        return target === needs[name];
      }
    }
    return true;
  }

  function showFieldsOfKind(block) {
    const select = kindSelect(block);
    if (!select) {
      return;
    }
    const fieldsByKind = JSON.parse(select.dataset.fields || "{}");
    const used = fieldsByKind[select.value];
    const optional = new Set(Object.values(fieldsByKind).flat());
    for (const row of block.querySelectorAll(".form-row")) {
      const name = fieldName(row);
      if (!optional.has(name)) {
        continue; // the kind and the order: always shown
      }
      // No kind chosen yet: every field, as without the script.
      row.hidden = (Boolean(used) && !used.includes(name)) || !wanted(block, select.value, name);
    }
    const label = block.querySelector("h3 .inline_label");
    if (label && select.value && !block.classList.contains("has_original")) {
      label.textContent = select.options[select.selectedIndex].text;
    }
  }

  function renumber(group) {
    let order = 10;
    for (const block of blocks(group)) {
      const select = kindSelect(block);
      const input = block.querySelector("input.home-block-order");
      if (select && select.value && input) {
        input.value = order;
        order += 10;
      }
    }
  }

  function move(block, direction) {
    const group = block.closest(".inline-group");
    const all = blocks(group);
    const index = all.indexOf(block);
    const other = all[index + direction];
    if (!other) {
      return;
    }
    if (direction < 0) {
      other.before(block);
    } else {
      other.after(block);
    }
    renumber(group);
    block.querySelector("[data-move='" + (direction < 0 ? "up" : "down") + "']").focus();
  }

  function moveButton(block, direction, text) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button home-block-move";
    button.dataset.move = direction;
    button.textContent = text;
    button.addEventListener("click", () => move(block, direction === "up" ? -1 : 1));
    return button;
  }

  function prepare(block, group) {
    if (block.dataset.homeBlockReady || block.classList.contains("empty-form")) {
      return;
    }
    const select = kindSelect(block);
    if (!select) {
      return;
    }
    block.dataset.homeBlockReady = "1";
    select.addEventListener("change", () => {
      showFieldsOfKind(block);
      const input = block.querySelector("input.home-block-order");
      if (input && !block.classList.contains("has_original")) {
        renumber(group);
      }
    });
    for (const name of ["partners", "target"]) {
      const choice = block.querySelector("select[name$='-" + name + "']");
      if (choice) {
        choice.addEventListener("change", () => showFieldsOfKind(block));
      }
    }
    const heading = block.querySelector("h3");
    if (heading) {
      const controls = document.createElement("span");
      controls.className = "home-block-moves";
      controls.append(
        moveButton(block, "up", select.dataset.textUp || "Move up"),
        " ",
        moveButton(block, "down", select.dataset.textDown || "Move down")
      );
      heading.append(controls);
    }
    showFieldsOfKind(block);
  }

  function prepareGroup(group) {
    for (const block of blocks(group)) {
      prepare(block, group);
    }
  }

  function groups() {
    return Array.from(document.querySelectorAll(".inline-group")).filter((group) =>
      group.querySelector("select.home-block-kind")
    );
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const group of groups()) {
      prepareGroup(group);
    }
  });

  // "Add another block": Django's inlines.js adds the row and says so.
  document.addEventListener("formset:added", (event) => {
    const block = event.target.closest ? event.target.closest(".inline-related") : null;
    const group = block ? block.closest(".inline-group") : null;
    if (block && group && kindSelect(block)) {
      prepare(block, group);
    }
  });
})();
