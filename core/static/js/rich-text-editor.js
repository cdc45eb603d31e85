// The admin's rich-text editor (the "mped" preset of django-prose-editor, see RichTextField),
// under the admin's strict Content-Security-Policy. Tiptap adds its base CSS as a <style>
// element, which the policy allows only with the page's nonce: hand Tiptap that nonce through
// its `injectNonce` option, which django-prose-editor does not set. The nonce is the one the
// server put on this page's import map; script elements keep it readable as `.nonce`.
import { Editor, initializeEditors } from "django-prose-editor/editor";
import { createEditor } from "django-prose-editor/configurable";

const nonce = document.querySelector("script[nonce]")?.nonce;
const injectCSS = Editor.prototype.injectCSS;
Editor.prototype.injectCSS = function () {
  this.options.injectNonce ??= nonce;
  return injectCSS.call(this);
};

const attribute = "data-django-prose-editor-mped";
initializeEditors(
  (textarea) => createEditor(textarea, JSON.parse(textarea.getAttribute(attribute))),
  `[${attribute}]`,
);
