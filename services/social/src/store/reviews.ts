import type { Selectable } from 'kysely';
import type { ReviewTable, Trx } from './tables.ts';

export type ReviewRow = Selectable<ReviewTable>;

/** The review, or undefined when this author already reviewed the order. */
export function insertReview(trx: Trx, review: ReviewRow): Promise<ReviewRow | undefined> {
  return trx
    .insertInto('mvp_core.social_reviews')
    .values(review)
    .onConflict((conflict) => conflict.columns(['order_id', 'author_character_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
}
