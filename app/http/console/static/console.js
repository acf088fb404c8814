// The console's only script: copy a new key to the clipboard. Everything else works
// without JavaScript; without it, the key is still shown, selectable, in its field.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  for (const field of document.querySelectorAll("[data-select-on-focus]")) {
    field.addEventListener("focus", () => field.select());
  }
  for (const button of document.querySelectorAll("[data-copy-target]")) {
    const field = document.getElementById(button.dataset.copyTarget);
    const status = document.getElementById(button.dataset.copyStatus);
    if (!field) {
      continue;
    }
    button.hidden = false;
    button.addEventListener("click", async () => {
      let copied = false;
      try {
        // Only in a secure context (https, or this machine over http).
        await navigator.clipboard.writeText(field.value);
        copied = true;
      } catch (error) {
        field.focus();
        field.select();
        copied = document.execCommand("copy");
      }
      if (status) {
        status.textContent = copied
          ? "Copied to the clipboard."
          : "Could not copy: the key is selected, press Ctrl+C (⌘C on a Mac) to copy it.";
      }
    });
  }
});
