/**
 * A velocity in whole mm/s no faster than `maxMmS`, in the same direction: input devices
 * overshoot, and the server decides how fast a body may go (a faster move is slowed, not refused).
 */
export function capSpeed(vx: number, vy: number, maxMmS: number): { vxMmS: number; vyMmS: number } {
  const rounded = { vxMmS: Math.round(vx) || 0, vyMmS: Math.round(vy) || 0 };
  if (Math.hypot(rounded.vxMmS, rounded.vyMmS) <= maxMmS) return rounded;
  const scale = maxMmS / Math.hypot(vx, vy);
  // Truncating toward zero keeps the slowed speed at or under the cap.
  return { vxMmS: Math.trunc(vx * scale) || 0, vyMmS: Math.trunc(vy * scale) || 0 };
}
