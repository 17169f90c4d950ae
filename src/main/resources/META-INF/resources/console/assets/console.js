// Shows each <time> in the browser's zone; the UTC instant stays in its title and datetime.
document.addEventListener("DOMContentLoaded", () => {
  const format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
  for (const el of document.querySelectorAll("time[datetime]")) {
    const when = new Date(el.getAttribute("datetime"));
    if (!isNaN(when)) {
      el.textContent = format.format(when);
    }
  }
});

// In the campaign editor, an error's "line N" selects that line of the definition.
function selectLine(editor, line) {
  const lines = editor.value.split("\n");
  const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
  editor.focus();
  editor.setSelectionRange(start, start + (lines[line - 1] || "").length);
  editor.scrollTop = Math.max(0, (line - 3) * parseFloat(getComputedStyle(editor).lineHeight || "18"));
}
document.addEventListener("DOMContentLoaded", () => {
  const editor = document.getElementById("definition");
  if (!editor) {
    return;
  }
  for (const link of document.querySelectorAll("a.line[data-line]")) {
    link.addEventListener("click", event => {
      event.preventDefault();
      selectLine(editor, Number(link.dataset.line));
    });
  }
  if (editor.dataset.line) {
    selectLine(editor, Number(editor.dataset.line));
  }
});
