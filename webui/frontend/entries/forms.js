// Forms without a round trip: a refused form's error summary takes the focus, a printable page's
// print button works, the language buttons send the form last typed in, and a task form's field
// needed only for one answer on the page (data-when-field / data-when-value, written by the server)
// is hidden while that answer is something else. Without this script every field stays shown with its condition in words, and the
// server decides what is required.

function answerOf(form, name) {
  const inputs = Array.from(form.elements).filter((element) => element.name === name);
  const chosen = inputs.find((element) => (element.type === "radio" || element.type === "checkbox") ? element.checked
    : true);
  return chosen ? chosen.value : "";
}

function update(form) {
  form.querySelectorAll("[data-when-field]").forEach((wrapper) => {
    const answer = answerOf(form, wrapper.dataset.whenField);
    const needed = answer === wrapper.dataset.whenValue;
    // Shown while unanswered (it may be needed) or needed; a hidden field posts nothing.
    const show = answer === "" || needed;
    wrapper.hidden = !show;
    wrapper.querySelectorAll("input, select, textarea").forEach((element) => { element.disabled = !show; });
    const star = wrapper.querySelector("label .required");
    if (star) star.hidden = !needed;
  });
}

// A page's language buttons send its typed form, which comes back in the other language as typed (see
// webui/typed_form.py). On a page with several forms that can come back so (data-shows-typed), the one
// last typed in is sent instead: an administrator ticking an account's roles keeps them.
function sendsTyped(form) {
  if (!form.id) return;
  document.querySelectorAll(".language-switch button[formaction]").forEach((button) => {
    const address = new URL(button.formAction, document.baseURI);
    address.searchParams.set("next", form.getAttribute("action"));
    button.formAction = address.toString();
    button.setAttribute("form", form.id);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-shows-typed]").forEach((form) => {
    form.addEventListener("change", () => sendsTyped(form));
  });
  // A page made for paper offers to print where a script can (hidden otherwise: the browser's menu prints it too).
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
  document.querySelectorAll("form").forEach((form) => {
    if (!form.querySelector("[data-when-field]")) return;
    update(form);
    form.addEventListener("change", () => update(form));
  });
});
