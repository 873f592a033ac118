// "cite" beside a statement: the link goes to the statement's anchor (which the page highlights), and, where the
// browser allows it, a citation of the statement is copied too: its words, the page, its address, the day, its sources.
// A file of the site (the Content-Security-Policy allows no inline script); it sends nothing anywhere.
(function () {
  "use strict";
  function text(node) {
    var copy = node.cloneNode(true);
    copy.querySelectorAll("sup, a.status, a.cite-this, .correction, .fact-history, .secondary-only, ul, ol, .anchor, .cite-text")
      .forEach(function (n) { n.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }
  function sources(item) {
    var names = [];
    item.querySelectorAll(":scope > sup.cite > a[href^='#ref-']").forEach(function (marker) {
      var ref = document.getElementById(marker.getAttribute("href").slice(1));
      var link = ref && ref.parentElement && ref.parentElement.querySelector("a");
      if (link && names.indexOf(link.textContent.trim()) < 0) names.push(link.textContent.trim());
    });
    return names;
  }
  function announce(message) {
    var status = document.getElementById("cite-status");
    if (!status) {
      status = document.createElement("div");
      status.id = "cite-status";
      status.className = "cite-status";
      status.setAttribute("role", "status");
      document.body.appendChild(status);
    }
    status.textContent = message;
    window.setTimeout(function () { status.textContent = ""; }, 4000);
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.cite-this");
    if (!link || !navigator.clipboard) return;
    var item = link.closest("li, p") || link.parentElement;
    var url = new URL(link.getAttribute("href"), window.location.href).href;
    var title = (document.querySelector("article h1") || document).textContent.replace("¶", "").trim();
    var site = (document.querySelector("meta[property='og:site_name']") || {}).content || document.title;
    var found = sources(item);
    var citation = "“" + text(item) + "” " + title + ", " + site + ". " + url + " (accessed "
      + new Date().toISOString().slice(0, 10) + ")" + (found.length ? ". Sources: " + found.join("; ") + "." : ".");
    navigator.clipboard.writeText(citation).then(function () {
      announce("Citation copied: " + citation);
    }, function () { /* the link still leads to the statement */ });
  });
})();
