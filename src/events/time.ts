// Event time as EPCIS writes it: an instant plus the offset it was recorded in. Pure.

export function timeZoneOffsetOf(isoTime: string): string {
  const match = /([+-])(\d{2}):?(\d{2})?$/.exec(isoTime);
  return match ? `${match[1]}${match[2]}:${match[3] ?? '00'}` : '+00:00';
}
