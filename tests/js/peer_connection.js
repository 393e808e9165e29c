export function candidate_to_json(init) {
  return JSON.stringify(new RTCIceCandidate(JSON.parse(init)).toJSON());
}
export function configuration_of(pc) {
  return JSON.stringify(pc.getConfiguration());
}
export function description_to_json(init) {
  return JSON.stringify(new RTCSessionDescription(JSON.parse(init)).toJSON());
}
// Counts the listeners added to `target` and not yet removed.
export function count_listeners(target) {
  const live = new Set();
  const add = target.addEventListener.bind(target);
  const remove = target.removeEventListener.bind(target);
  target.addEventListener = (type, fn, options) => { live.add(fn); add(type, fn, options); };
  target.removeEventListener = (type, fn, options) => { live.delete(fn); remove(type, fn, options); };
  return () => live.size;
}
