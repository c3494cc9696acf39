import { AppError, type InternalClient, upstreamBadAnswer } from '@necp/platform';

/** The customer character of an order social knows, or null when social knows no such order. */
export type OrderCustomers = (orderId: string) => Promise<string | null>;

/** Asks social-service's internal endpoint (`GET /internal/v1/orders/{orderId}`, role `service`). */
export function orderCustomersVia(social: InternalClient): OrderCustomers {
  return async (orderId) => {
    const body = (await social.getJson(`/internal/v1/orders/${orderId}`, "an order's customer")) as {
      customerCharacterId?: unknown;
    } | null;
    if (body === null) return null;
    if (typeof body.customerCharacterId !== 'string') {
      throw upstreamBadAnswer("social-service answered an order's customer without customerCharacterId");
    }
    return body.customerCharacterId;
  };
}

/**
 * A player locks eddies only for an order social knows and in which the payer is the customer, so
 * no one can hold eddies under an order id that nothing would ever settle (services lock for social).
 */
export async function assertPayerIsCustomer(
  customers: OrderCustomers,
  orderId: string,
  payerCharacterId: string,
): Promise<void> {
  const customer = await customers(orderId);
  if (customer === null) throw new AppError('NOT_FOUND', `social-service knows no order ${orderId}`);
  if (customer.toLowerCase() !== payerCharacterId.toLowerCase()) {
    throw new AppError('FORBIDDEN', 'Only the customer of the order locks its escrow');
  }
}
