// A table wider than the screen (on a phone) says so: a line above it, and a shadow on the side that hides columns.
// A file of the site (the Content-Security-Policy allows no inline script); it sends nothing anywhere.
(function () {
  "use strict";
  // What a region is called: the table's section, so that two wide tables on one page are two distinct landmarks.
  function section(wrap) {
    var headings = document.querySelectorAll("article h2, article h3");
    var title = "";
    headings.forEach(function (h) {
      if (h.compareDocumentPosition(wrap) & Node.DOCUMENT_POSITION_FOLLOWING) title = h.textContent.replace("¶", "").trim();
    });
    return title;
  }
  function mark() {
    var names = {};
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      var wide = wrap.scrollWidth > wrap.clientWidth + 1;
      wrap.classList.toggle("is-wide", wide);
      if (wide) {  // a region that scrolls is reached and scrolled by keyboard too
        wrap.tabIndex = 0;
        wrap.setAttribute("role", "region");
        var name = "Table" + (section(wrap) ? " under " + section(wrap) : "");
        names[name] = (names[name] || 0) + 1;
        wrap.setAttribute("aria-label", name + (names[name] > 1 ? " (" + names[name] + ")" : "") + ", scrolls sideways");
      } else {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
      wrap.classList.toggle("at-end", wrap.scrollLeft + wrap.clientWidth >= wrap.scrollWidth - 1);
      var hint = wrap.previousElementSibling;
      var has = hint && hint.classList.contains("table-hint");
      if (wide && !has) {
        hint = document.createElement("p");
        hint.className = "table-hint";
        hint.textContent = "The table is wider than the screen: swipe it sideways for more columns.";
        wrap.parentNode.insertBefore(hint, wrap);
      } else if (!wide && has) {
        hint.remove();
      }
      if (!wrap.dataset.watched) {
        wrap.dataset.watched = "1";
        wrap.addEventListener("scroll", function () {
          wrap.classList.toggle("at-end", wrap.scrollLeft + wrap.clientWidth >= wrap.scrollWidth - 1);
        }, { passive: true });
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mark); else mark();
  window.addEventListener("resize", mark);
})();
