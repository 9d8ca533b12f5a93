// Demo survey answers, a few days after an order (`survey_responses`).

import { DAY_MS } from './calendar.js';
import { iso } from './formats.js';
import type { GeneratedOrder } from './orders.js';
import { exponential, type Random, weightedPicker } from './random.js';

type SurveyKind = 'nps' | 'csat' | 'ces';

interface SurveyResponse {
  readonly customerId: string | null;
  survey: SurveyKind;
  score: number;
  readonly at: number;
}

const pickSurvey = weightedPicker<SurveyKind>([
  ['nps', 0.55],
  ['csat', 0.3],
  ['ces', 0.15],
]);
/** Half promoters (9–10), a fifth detractors (0–6): NPS about +30. */
const pickNpsScore = weightedPicker([
  [10, 0.25],
  [9, 0.25],
  [8, 0.18],
  [7, 0.12],
  [6, 0.06],
  [5, 0.05],
  [4, 0.03],
  [3, 0.02],
  [2, 0.015],
  [1, 0.01],
  [0, 0.015],
]);
const pickCsatScore = weightedPicker([
  [5, 0.5],
  [4, 0.3],
  [3, 0.1],
  [2, 0.05],
  [1, 0.05],
]);
/** 7 = "it was very easy". */
const pickCesScore = weightedPicker([
  [7, 0.3],
  [6, 0.3],
  [5, 0.18],
  [4, 0.1],
  [3, 0.06],
  [2, 0.03],
  [1, 0.03],
]);
const SURVEY_MONTHS = 18;
const SURVEY_RESPONSES_PER_CUSTOMER = 0.135;

/** Answers over the last 18 months, each 1–10 days after an order; two with an out-of-range score. */
export function generateSurveyResponses(
  history: readonly GeneratedOrder[],
  customerCount: number,
  endDay: number,
  random: Random,
): SurveyResponse[] {
  const end = new Date(endDay);
  const from = Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - (SURVEY_MONTHS - 1), 1);
  const endTime = endDay + DAY_MS - 1000;
  const orders = history.filter((order) => order.at >= from - 7 * DAY_MS);
  const responses: SurveyResponse[] = [];
  const count = orders.length === 0 ? 0 : Math.round(customerCount * SURVEY_RESPONSES_PER_CUSTOMER);
  for (let i = 0; i < count; i++) {
    const order = orders[Math.floor(random() * orders.length)]!;
    let at = order.at + (1 + exponential(random, 3)) * DAY_MS;
    if (at > endTime) at = Math.min(endTime, order.at + 3_600_000);
    const survey = pickSurvey(random);
    const score = survey === 'nps' ? pickNpsScore(random) : survey === 'csat' ? pickCsatScore(random) : pickCesScore(random);
    const anonymous = random() < 0.04;
    if (at >= from) responses.push({ customerId: anonymous ? null : order.customer.id, survey, score, at });
  }
  responses.sort((a, b) => a.at - b.at);
  // Typed in by hand: scores the pipeline sets aside as out of range.
  const outOfRange = [
    [1 / 3, 'nps', 11],
    [2 / 3, 'csat', 0],
  ] as const;
  for (const [position, survey, score] of outOfRange) {
    const response = responses[Math.floor(position * responses.length)];
    if (!response) continue;
    response.survey = survey;
    response.score = score;
  }
  return responses;
}

export function surveysNdjson(responses: readonly SurveyResponse[]): string {
  return (
    responses
      .map(
        (r, index) =>
          `{"response_id":"R${String(index + 1).padStart(6, '0')}","customer_id":${JSON.stringify(r.customerId)},` +
          `"survey":"${r.survey}","score":${r.score},"responded_at":"${iso(r.at)}Z"}`,
      )
      .join('\n') + '\n'
  );
}
