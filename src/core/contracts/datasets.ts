import { defineDataset, type DatasetContract } from './dataset-contract.js';

/**
 * The largest money amount of one row. Outputs are DECIMAL(18,2) (up to 9,999,999,999,999,999.99):
 * a sum overflows one only past 10 million rows at this amount, and never on fewer.
 */
export const MAX_AMOUNT = 1_000_000_000;

/** The input datasets of metrics.md ("Input datasets"); a folder inbox/<name>/ feeds each. */
export const customers = defineDataset({
  name: 'customers',
  description: 'One row per customer, as exported by the shop or CRM.',
  primaryKey: ['customer_id'],
  columns: [
    { name: 'customer_id', type: 'string', required: true, description: 'Customer identifier.' },
    { name: 'created_at', type: 'timestamp', required: true, description: 'When the customer account was created (UTC).' },
    { name: 'acquisition_channel', type: 'string', description: 'Channel the customer came from.' },
    {
      name: 'referred_by',
      type: 'string',
      description: 'customer_id of the referrer; non-empty means the customer came by referral.',
    },
    { name: 'segment', type: 'string', description: 'Any grouping the business uses (tier, region, B2B/B2C); optional.' },
    {
      name: 'country',
      type: 'string',
      description:
        'ISO 3166 alpha-2 code when known; optional. Kept as text, not validated: a customer is not rejected for a country written another way, and the value is grouped as exported.',
    },
  ],
});

export const orders = defineDataset({
  name: 'orders',
  description: 'One row per order.',
  primaryKey: ['order_id'],
  columns: [
    { name: 'order_id', type: 'string', required: true, description: 'Order identifier.' },
    { name: 'customer_id', type: 'string', required: true, description: 'Customer who placed the order.' },
    { name: 'ordered_at', type: 'timestamp', required: true, window: 'past', description: 'When the order was placed (UTC).' },
    {
      name: 'amount',
      type: 'decimal',
      required: true,
      min: 0,
      max: MAX_AMOUNT,
      description: 'Order value net of tax and shipping.',
    },
    {
      name: 'refunded_amount',
      type: 'decimal',
      min: 0,
      max: MAX_AMOUNT,
      default: '0',
      description: 'Amount refunded so far; 0 when absent.',
    },
    { name: 'currency', type: 'currency', description: 'ISO 4217 code; a lake holds one currency.' },
    {
      name: 'status',
      type: 'enum',
      values: ['completed', 'refunded', 'cancelled'],
      default: "'completed'",
      description: 'completed, refunded or cancelled; completed when absent.',
    },
  ],
  rowChecks: [{ sql: 'refunded_amount <= amount', reason: 'refunded_amount is greater than amount' }],
});

export const subscriptions = defineDataset({
  name: 'subscriptions',
  description: 'One row per subscription, with its monthly-normalised recurring amount.',
  primaryKey: ['subscription_id'],
  columns: [
    { name: 'subscription_id', type: 'string', required: true, description: 'Subscription identifier.' },
    { name: 'customer_id', type: 'string', required: true, description: 'Customer who holds the subscription.' },
    { name: 'mrr', type: 'decimal', required: true, min: 0, max: MAX_AMOUNT, description: 'Monthly recurring revenue of the subscription.' },
    { name: 'started_at', type: 'timestamp', required: true, window: 'past', description: 'When it started (UTC).' },
    { name: 'ended_at', type: 'timestamp', window: 'from_earliest', description: 'When it ended (UTC), or will end; empty while active.' },
    { name: 'plan', type: 'string', description: 'Plan name.' },
  ],
  rowChecks: [{ sql: 'ended_at is null or ended_at >= started_at', reason: 'ended_at is before started_at' }],
});

export const surveyResponses = defineDataset({
  name: 'survey_responses',
  description: 'One row per answer to an NPS, CSAT or CES question.',
  primaryKey: ['response_id'],
  columns: [
    { name: 'response_id', type: 'string', required: true, description: 'Response identifier.' },
    { name: 'customer_id', type: 'string', description: 'Customer who answered, if known.' },
    { name: 'survey', type: 'enum', values: ['nps', 'csat', 'ces'], required: true, description: 'nps, csat or ces.' },
    { name: 'score', type: 'integer', required: true, description: 'nps 0–10, csat 1–5, ces 1–7.' },
    { name: 'responded_at', type: 'timestamp', required: true, window: 'past', description: 'When the answer was given (UTC).' },
  ],
  rowChecks: [
    {
      sql: "(survey = 'nps' and score between 0 and 10) or (survey = 'csat' and score between 1 and 5) or (survey = 'ces' and score between 1 and 7) or survey is null or score is null",
      reason: 'score out of range for its survey (nps 0–10, csat 1–5, ces 1–7)',
    },
  ],
});

export const events = defineDataset({
  name: 'events',
  description: 'Product events (logins, page views, feature use): one row per event. No key: identical rows count once.',
  primaryKey: [],
  columns: [
    { name: 'customer_id', type: 'string', required: true, description: 'Customer who did it.' },
    { name: 'event_name', type: 'string', required: true, description: 'What happened.' },
    { name: 'occurred_at', type: 'timestamp', required: true, window: 'past', description: 'When (UTC).' },
    { name: 'session_id', type: 'string', description: "The product's own session id; without it, sessions come from the gap between events." },
    {
      name: 'duration_seconds',
      type: 'decimal',
      min: 0,
      max: MAX_AMOUNT,
      description: 'Time spent, when the product logs it per event; a session whose every event has it lasts their sum.',
    },
  ],
});

export const retentionCosts = defineDataset({
  name: 'retention_costs',
  description: 'Money spent on keeping customers (loyalty programme, win-back campaigns), by month. No key: identical rows count once.',
  primaryKey: [],
  columns: [
    { name: 'month', type: 'month', required: true, window: 'past', description: 'YYYY-MM, or any date in the month.' },
    { name: 'amount', type: 'decimal', required: true, min: 0, max: MAX_AMOUNT, description: 'Amount spent.' },
    { name: 'category', type: 'string', description: 'What it was spent on.' },
  ],
});

/** Members of loyalty and advocacy programs (metrics.md, "Additions (second release)"). */
export const programMemberships = defineDataset({
  name: 'program_memberships',
  description: 'One row per membership of a customer in a program (loyalty club, referral, affiliate, advocate).',
  primaryKey: ['membership_id'],
  columns: [
    { name: 'membership_id', type: 'string', required: true, description: 'Membership identifier.' },
    { name: 'customer_id', type: 'string', required: true, description: 'Customer who is (or was) a member.' },
    { name: 'program', type: 'string', required: true, description: "The program's name (e.g. gold club, refer-a-friend)." },
    {
      name: 'program_type',
      type: 'enum',
      values: ['loyalty', 'referral', 'affiliate', 'advocate', 'other'],
      default: "'other'",
      description: 'loyalty, referral, affiliate, advocate or other; other when absent.',
    },
    { name: 'joined_at', type: 'timestamp', required: true, window: 'past', description: 'When the customer joined (UTC).' },
    { name: 'left_at', type: 'timestamp', window: 'from_earliest', description: 'When the customer left (UTC), or will leave; empty while a member.' },
  ],
  rowChecks: [{ sql: 'left_at is null or left_at >= joined_at', reason: 'left_at is before joined_at' }],
});

/** Support tickets and complaints (metrics.md, "Additions (second release)"). */
export const supportTickets = defineDataset({
  name: 'support_tickets',
  description: 'One row per support ticket; complaints are the tickets with is_complaint.',
  primaryKey: ['ticket_id'],
  columns: [
    { name: 'ticket_id', type: 'string', required: true, description: 'Ticket identifier.' },
    { name: 'customer_id', type: 'string', description: 'Customer who opened it, if known.' },
    { name: 'opened_at', type: 'timestamp', required: true, window: 'past', description: 'When the ticket was opened (UTC).' },
    {
      name: 'is_complaint',
      type: 'boolean',
      default: 'true',
      description: 'Whether the ticket is a complaint (true/false, 1/0, yes/no); true when absent.',
    },
    { name: 'category', type: 'string', description: 'Ticket category.' },
    { name: 'resolved_at', type: 'timestamp', window: 'past', description: 'When it was resolved (UTC); empty while open.' },
  ],
  rowChecks: [{ sql: 'resolved_at is null or resolved_at >= opened_at', reason: 'resolved_at is before opened_at' }],
});

export const datasetContracts: readonly DatasetContract[] = [
  customers,
  orders,
  subscriptions,
  surveyResponses,
  events,
  retentionCosts,
  programMemberships,
  supportTickets,
];

export function findDataset(name: string): DatasetContract | undefined {
  return datasetContracts.find((d) => d.name === name);
}
