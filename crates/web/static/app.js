// Small enhancements only: every page works without this script.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });
  // Keep the desktop menu open; on phones it folds.
  var side = document.querySelector(".side details");
  if (side && window.matchMedia("(max-width: 899px)").matches) { side.removeAttribute("open"); }
});
