// Test instrumentation for reports/browser_check.sh, never shipped: the
// script inserts this file as the first <script> of the <head> of a COPY of
// a report's index.html and loads the copy in headless Chromium. It
//   - records console.error calls, uncaught exceptions, unhandled promise
//     rejections and resources (images, scripts, style sheets) that failed
//     to load;
//   - counts, before KaTeX runs (its DOMContentLoaded listener is added
//     before the page's own), the formulas the page should have: the TeX
//     delimiter pairs $$..$$, $..$, \[..\], \(..\) in the text outside
//     <code>, <pre>, .nomath (what KaTeX's auto-render skips), scanned the
//     way auto-render does (backslash escapes, braces);
//   - after the load event (KaTeX has run, every image has loaded or
//     failed), checks images, formulas, raw TeX left in the text and
//     in-page links, and writes one line per finding ("FAIL ...") and the
//     counts ("INFO ...") into <pre id="browser-check-result">, which the
//     shell script reads from Chromium's --dump-dom output.
(function () {
  "use strict";
  var errors = [];
  var warnings = [];
  var expectedFormulas = -1;

  function show(args) {
    return Array.prototype.map.call(args, function (a) {
      if (a instanceof Error) return a.name + ": " + a.message;
      return String(a);
    }).join(" ");
  }
  var consoleError = console.error;
  console.error = function () {
    errors.push("console.error: " + show(arguments));
    return consoleError.apply(console, arguments);
  };
  var consoleWarn = console.warn;
  console.warn = function () {
    warnings.push("console.warn: " + show(arguments));
    return consoleWarn.apply(console, arguments);
  };
  // Capture phase: also sees the error events of <img>, <script>, <link>,
  // which do not bubble. Unlike window.onerror, the page cannot replace it.
  window.addEventListener("error", function (ev) {
    var t = ev.target;
    if (t && t !== window && t.getAttribute) {
      errors.push("failed to load: <" + t.tagName.toLowerCase() + "> " +
                  (t.getAttribute("src") || t.getAttribute("href") || t.getAttribute("data")));
    } else {
      errors.push("uncaught exception: " + ev.message + " (" + ev.filename + ":" + ev.lineno + ")");
    }
  }, true);
  window.addEventListener("unhandledrejection", function (ev) {
    errors.push("unhandled promise rejection: " + show([ev.reason]));
  });

  // What auto-render skips (its ignoredTags, and the page's ignoredClasses).
  var SKIP = {SCRIPT: 1, NOSCRIPT: 1, STYLE: 1, TEXTAREA: 1, PRE: 1, CODE: 1, OPTION: 1};
  // The text of `root` outside skipped elements, one string per run of
  // adjacent text nodes (auto-render joins adjacent text nodes).
  function texts(root, skipClasses, out) {
    var run = null;
    for (var n = root.firstChild; n; n = n.nextSibling) {
      if (n.nodeType === Node.TEXT_NODE) {
        run = (run === null ? "" : run) + n.data;
        continue;
      }
      if (run !== null) out.push(run);
      run = null;
      if (n.nodeType !== Node.ELEMENT_NODE || SKIP[n.tagName]) continue;
      if (skipClasses.some(function (c) { return n.classList.contains(c); })) continue;
      if (n.id === "browser-check-result") continue;
      texts(n, skipClasses, out);
    }
    if (run !== null) out.push(run);
    return out;
  }

  var DELIMITERS = [["$$", "$$"], ["\\[", "\\]"], ["\\(", "\\)"], ["$", "$"]];
  // Index of `right` in s from i at brace level 0, skipping \x; -1 if none.
  function endOfMath(s, i, right) {
    var level = 0;
    for (; i < s.length; i++) {
      if (level <= 0 && s.startsWith(right, i)) return i;
      if (s[i] === "\\") i++;
      else if (s[i] === "{") level++;
      else if (s[i] === "}") level--;
    }
    return -1;
  }
  function countFormulas(s) {
    var count = 0;
    var i = 0;
    while (i < s.length) {
      var d = DELIMITERS.find(function (d) { return s.startsWith(d[0], i); });
      if (!d) { i++; continue; }
      var end = endOfMath(s, i + d[0].length, d[1]);
      if (end < 0) { i++; continue; }
      count++;
      i = end + d[1].length;
    }
    return count;
  }

  document.addEventListener("DOMContentLoaded", function () {
    expectedFormulas = texts(document.body, ["nomath"], []).reduce(function (sum, s) {
      return sum + countFormulas(s);
    }, 0);
  });

  function context(s, i) {
    return JSON.stringify(s.slice(Math.max(0, i - 40), i + 40));
  }

  function check() {
    var out = [];
    function fail(what) { out.push("FAIL " + what); }
    errors.forEach(fail);

    var images = document.querySelectorAll("img");
    var svgs = 0;
    images.forEach(function (img) {
      var src = img.getAttribute("src");
      if (/\.svg$/i.test(src)) svgs++;
      if (!img.complete || img.naturalWidth === 0) {
        fail("broken image: <img src=\"" + src + "\"> (naturalWidth " + img.naturalWidth + ")");
      }
    });
    document.querySelectorAll("object, embed, iframe").forEach(function (o) {
      fail("unchecked <" + o.tagName.toLowerCase() + ">: the check handles <img> only");
    });

    var rendered = document.querySelectorAll(".katex").length;
    if (expectedFormulas < 0) fail("the formulas were not counted before KaTeX ran");
    if (rendered === 0) fail("no KaTeX formula on the page (.katex count 0)");
    if (rendered !== expectedFormulas) {
      fail("KaTeX rendered " + rendered + " formulas; the text has " + expectedFormulas);
    }
    document.querySelectorAll(".katex-error").forEach(function (e) {
      fail("KaTeX error: " + JSON.stringify(e.textContent) + ": " + e.getAttribute("title"));
    });
    // One finding per run of text: the TeX tokens left in it, in context.
    texts(document.body, ["nomath", "katex", "katex-error"], []).forEach(function (s) {
      var tokens = s.match(/\$|\\[()\[\]]|\\[A-Za-z]+/g);
      if (tokens) {
        fail("raw TeX left in the text: " + tokens.filter(function (t, i) { return tokens.indexOf(t) === i; }).join(" ") + " in " +
             context(s, s.search(/\$|\\[()\[\]]|\\[A-Za-z]+/)));
      }
    });

    document.fonts.forEach(function (f) {
      if (f.status === "error") fail("font failed to load: " + f.family + " " + f.style + " " + f.weight);
    });

    document.querySelectorAll("a[href^='#']").forEach(function (a) {
      var id = decodeURIComponent(a.getAttribute("href").slice(1));
      if (id !== "" && !document.getElementById(id)) fail("broken in-page link: " + a.getAttribute("href"));
    });

    warnings.forEach(function (w) { out.push("WARN " + w); });
    out.push("INFO images " + images.length + " (svg " + svgs + "), formulas " + rendered +
             " rendered of " + expectedFormulas + ", height " +
             Math.ceil(document.documentElement.scrollHeight));
    return out;
  }

  window.addEventListener("load", function () {
    // Once the fonts KaTeX asked for have loaded or failed, and after the
    // load event's other listeners (and any error they raise).
    document.fonts.ready.then(function () {
      setTimeout(function () {
        var pre = document.createElement("pre");
        pre.id = "browser-check-result";
        pre.textContent = "\n" + check().join("\n") + "\nEND\n";
        document.body.appendChild(pre);
      }, 0);
    });
  });
})();
