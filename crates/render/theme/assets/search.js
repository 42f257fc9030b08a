// Search in a static copy of the site, in the browser: no server, works from disk.
// The index (search/index.js, loaded before this file) lists every published story:
// [headline, standfirst, site path, ISO date, language, section/tags/authors].
// Words are folded as the server's search folds them: case, accents, and the Arabic and
// Persian forms of yeh and kaf, so a reader finds a story whichever keyboard they used.
(function () {
  "use strict";
  var stories = window.broadsheetSearch || [];
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var input = document.getElementById("search-query");
  if (!status || !list) return;

  function fold(text) {
    return text
      .normalize("NFKD")
      .replace(/[\u0300-\u036f\u064b-\u065f\u0670\u0640\u200c\u200d]/g, "")
      .replace(/[\u064a\u0649]/g, "\u06cc")
      .replace(/\u0643/g, "\u06a9")
      .toLowerCase();
  }
  function words(text) {
    return fold(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }

  var query = new URLSearchParams(window.location.search).get("q") || "";
  if (input) input.value = query;
  var wanted = words(query);
  if (wanted.length === 0) return;

  var found = [];
  stories.forEach(function (story) {
    var headline = words(story[0]);
    var rest = words(story[1] + " " + story[5]);
    var score = 0;
    for (var i = 0; i < wanted.length; i++) {
      var term = wanted[i];
      var starts = function (word) { return word.indexOf(term) === 0; };
      if (headline.some(starts)) score += 3;
      else if (rest.some(starts)) score += 1;
      else return;
    }
    found.push({ story: story, score: score });
  });
  found.sort(function (a, b) {
    return b.score - a.score || (a.story[3] < b.story[3] ? 1 : a.story[3] > b.story[3] ? -1 : 0);
  });

  // The page sits one folder down from the site's root.
  function address(path) {
    var trimmed = path.replace(/^\/+|\/+$/g, "");
    return "../" + (trimmed ? trimmed + "/" : "") + "index.html";
  }
  status.textContent = (found.length === 1 ? "1 story" : found.length + " stories") +
    " found for \u201c" + query + "\u201d.";
  found.slice(0, 100).forEach(function (hit) {
    var story = hit.story;
    var item = document.createElement("li");
    item.lang = story[4];
    var heading = document.createElement("h2");
    heading.className = "card-headline";
    var link = document.createElement("a");
    link.href = address(story[2]);
    link.textContent = story[0];
    heading.appendChild(link);
    item.appendChild(heading);
    if (story[1]) {
      var standfirst = document.createElement("p");
      standfirst.className = "snippet";
      standfirst.textContent = story[1];
      item.appendChild(standfirst);
    }
    var meta = document.createElement("p");
    meta.className = "card-meta";
    var time = document.createElement("time");
    time.dateTime = story[3];
    time.textContent = story[3].slice(0, 10);
    meta.appendChild(time);
    item.appendChild(meta);
    list.appendChild(item);
  });
})();
