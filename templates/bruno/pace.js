// Coupa allows config.burst requests in a burst (25 a second): at most
// config.burst start in any one second.
const starts = JSON.parse(bru.getVar(config.startsVar) || "[]");
const paceWait = starts.length >= config.burst ? starts[starts.length - config.burst] + 1000 - Date.now() : 0;
starts.push(Date.now() + Math.max(paceWait, 0));
bru.setVar(config.startsVar, JSON.stringify(starts.slice(-config.burst)));
await bru.sleep(Math.max(paceWait, 0));
