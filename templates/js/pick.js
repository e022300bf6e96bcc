// A capture that picks: the list's records whose keys hold the pick's
// values, compared as text (Coupa's ids are numbers, inputs are text). An
// answer that is no list holds none; valueOf reads an input or a capture.
function picked(answer, pick, valueOf) {
  if (!Array.isArray(answer)) return [];
  return answer.filter(function (r) {
    return r !== null && typeof r === "object" && pick.every(function (p) {
      var want = p.var === undefined ? p.is : valueOf(p);
      var have = r[p.key];
      return want !== undefined && want !== null && have !== undefined && have !== null && String(have) === String(want);
    });
  });
}
