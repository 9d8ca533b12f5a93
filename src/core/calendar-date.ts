/** Whether `text` is a calendar date written YYYY-MM-DD that exists (not 2024-02-30, not 2024-2-1). */
export function isCalendarDate(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}
