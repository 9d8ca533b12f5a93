/** `weight` customers share this (x = frequency, t_x = recency, T): what every repeat-purchase model is fitted on. */
export interface BgNbdRow {
  frequency: number;
  recency: number;
  T: number;
  weight: number;
}
