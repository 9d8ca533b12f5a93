// Defaults of settings that the CLI, the Lambda functions and the CDK construct share: each
// defined once, here. Import nothing: the CDK app reads this file too.

/** Days without an order after which a customer counts as churned (metrics.md). */
export const DEFAULT_CHURN_WINDOW_DAYS = 90;
