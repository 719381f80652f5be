// The lesson editor: a contenteditable area with a small toolbar in place of the lesson's HTML
// textarea, which stays in the form and receives the HTML on every change. Without JavaScript the
// textarea is the editor. The server cleans whatever arrives (content.richtext), so this file
// only helps write; it is not what keeps pages safe.
(() => {
  const textarea = document.querySelector("textarea[data-richtext]");
  const labels = document.getElementById("richtext-toolbar-labels");
  if (!textarea || !labels) return;
  const words = labels.dataset;
  const csrf = textarea.form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const KEPT = new Set(["P", "BR", "H2", "H3", "STRONG", "B", "EM", "I", "U", "S", "UL", "OL", "LI", "BLOCKQUOTE", "A", "IMG", "DIV", "SPAN"]);
  const ATTRIBUTES = { A: ["href"], IMG: ["src", "alt"] };

  // Copies the saved HTML into the editor through an inert document, keeping only the formatting
  // the server keeps, so nothing in it runs or loads while it is edited.
  const imported = (html) => {
    const source = new DOMParser().parseFromString(html, "text/html").body;
    const copy = (node, into) => {
      node.childNodes.forEach((child) => {
        if (child.nodeType === Node.TEXT_NODE) {
          into.appendChild(document.createTextNode(child.textContent));
        } else if (child.nodeType === Node.ELEMENT_NODE && KEPT.has(child.tagName)) {
          const element = document.createElement(child.tagName);
          (ATTRIBUTES[child.tagName] || []).forEach((name) => {
            if (child.hasAttribute(name)) element.setAttribute(name, child.getAttribute(name));
          });
          copy(child, element);
          into.appendChild(element);
        }
      });
    };
    const fragment = document.createDocumentFragment();
    copy(source, fragment);
    return fragment;
  };

  const area = document.createElement("div");
  area.className = "richtext-area";
  area.contentEditable = "true";
  area.setAttribute("role", "textbox");
  area.setAttribute("aria-multiline", "true");
  area.setAttribute("aria-label", textarea.labels[0] ? textarea.labels[0].textContent : "");
  area.appendChild(imported(textarea.value));
  // The browser's own markup in the words the server keeps: <b> and <i> as <strong> and <em>.
  const RENAMED = { B: "strong", I: "em" };
  const sync = () => {
    const copy = area.cloneNode(true);
    copy.querySelectorAll("b, i").forEach((element) => {
      const renamed = document.createElement(RENAMED[element.tagName]);
      while (element.firstChild) renamed.appendChild(element.firstChild);
      element.replaceWith(renamed);
    });
    textarea.value = copy.innerHTML;
  };

  const run = (command, value = null) => {
    area.focus();
    document.execCommand(command, false, value);
    sync();
  };

  // Where the caret last was in the editor: a picture goes there (the toolbar and the file
  // dialogue take the focus away). Inserted as an element: Chrome's insertImage command sets an
  // inline style, which the Content Security Policy refuses.
  let caret = null;
  document.addEventListener("selectionchange", () => {
    const selection = window.getSelection();
    if (selection.rangeCount && area.contains(selection.anchorNode)) {
      caret = selection.getRangeAt(0).cloneRange();
    }
  });
  const insertPicture = (url) => {
    const picture = document.createElement("img");
    picture.src = url;
    picture.alt = "";
    if (caret) {
      caret.deleteContents();
      caret.insertNode(picture);
      caret.setStartAfter(picture);
    } else {
      area.appendChild(picture);
    }
    sync();
  };

  const picker = document.createElement("input");
  picker.type = "file";
  picker.accept = "image/jpeg,image/png,image/webp";
  picker.hidden = true;
  picker.addEventListener("change", async () => {
    const file = picker.files[0];
    if (!file) return;
    const body = new FormData();
    body.append("image", file);
    const response = await fetch(words.uploadUrl, {
      method: "POST",
      body,
      headers: { Accept: "application/json", "X-CSRFToken": csrf },
      credentials: "same-origin",
    });
    const answer = await response.json().catch(() => ({}));
    picker.value = "";
    if (!response.ok || !answer.url) {
      window.alert(answer.error || words.uploadFailed);
      return;
    }
    insertPicture(answer.url);
  });

  const buttons = [
    ["bold", () => run("bold"), "B"],
    ["italic", () => run("italic"), "I"],
    ["heading", () => run("formatBlock", "<h2>"), "H"],
    ["list", () => run("insertUnorderedList"), "•"],
    ["quote", () => run("formatBlock", "<blockquote>"), "❝"],
    [
      "link",
      () => {
        const address = window.prompt(words.linkPrompt, "https://");
        if (address && /^(https?:\/\/|mailto:)/i.test(address.trim())) run("createLink", address.trim());
      },
      words.link,
    ],
    ["image", () => picker.click(), words.image],
  ];
  const toolbar = document.createElement("div");
  toolbar.className = "richtext-toolbar";
  toolbar.setAttribute("role", "toolbar");
  buttons.forEach(([name, action, face]) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = face;
    button.title = words[name];
    button.setAttribute("aria-label", words[name]);
    button.dataset.command = name;
    button.addEventListener("click", action);
    toolbar.appendChild(button);
  });

  document.execCommand("defaultParagraphSeparator", false, "p");
  area.addEventListener("input", sync);
  textarea.form.addEventListener("submit", sync);
  textarea.hidden = true;
  textarea.after(toolbar, area, picker);
})();
