import { defineDataset, type DatasetContract } from './dataset-contract.js';

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
  ],
});

export const orders = defineDataset({
  name: 'orders',
  description: 'One row per order.',
  primaryKey: ['order_id'],
  columns: [
    { name: 'order_id', type: 'string', required: true, description: 'Order identifier.' },
    { name: 'customer_id', type: 'string', required: true, description: 'Customer who placed the order.' },
    { name: 'ordered_at', type: 'timestamp', required: true, description: 'When the order was placed (UTC).' },
    {
      name: 'amount',
      type: 'decimal',
      required: true,
      min: 0,
      description: 'Order value net of tax and shipping.',
    },
    {
      name: 'refunded_amount',
      type: 'decimal',
      min: 0,
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

export const datasetContracts: readonly DatasetContract[] = [customers, orders];

export function findDataset(name: string): DatasetContract | undefined {
  return datasetContracts.find((d) => d.name === name);
}
