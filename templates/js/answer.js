// How every capture reads an answer. picked: a pick's records, the list's
// records whose keys hold the pick's values, compared as text (Coupa's ids
// are numbers, inputs are text; a list or an object holds no such value);
// an answer that is no list holds none, and valueOf reads an input or a
// capture. dug: the value at a capture's keys, a list's index or an
// object's key, or {count: true}, a list's length.
function picked(answer, pick, valueOf) {
  if (!Array.isArray(answer)) return [];
  return answer.filter(function (r) {
    return r !== null && typeof r === "object" && pick.every(function (p) {
      var want = p.var === undefined ? p.is : valueOf(p);
      var have = r[p.key];
      return want !== undefined && want !== null && have !== undefined && have !== null && typeof have !== "object" && String(have) === String(want);
    });
  });
}
function dug(answer, keys) {
  return keys.reduce(function (v, k) {
    if (v === undefined || v === null) return undefined;
    if (typeof k === "object") return Array.isArray(v) ? v.length : undefined;
    return v[k];
  }, answer);
}
