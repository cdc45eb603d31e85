// The translate view (templates/admin/editorial/translate.html): the rich-text editor replaces
// each rich field's textarea with an element of role "textbox" that has no name of its own;
// give it the label of the textarea it stands for, so a screen reader says which field it is
// ("Body: French"). Without JavaScript the labelled textarea is there instead.
const nameEditors = () => {
  for (const input of document.querySelectorAll(".translate-input")) {
    const editor = input.querySelector(".ProseMirror:not([aria-labelledby])");
    const label = input.parentElement.querySelector("label.translate-language[id]");
    if (editor && label) {
      editor.setAttribute("aria-labelledby", label.id);
    }
  }
};

const form = document.querySelector(".translate form");
if (form) {
  nameEditors();
  new MutationObserver(nameEditors).observe(form, { childList: true, subtree: true });
}
