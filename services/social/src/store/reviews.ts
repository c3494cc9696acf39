import type { Selectable } from 'kysely';
import type { Reader, ReviewTable, Trx } from './tables.ts';

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

export async function ratingsReceived(
  db: Reader,
  characterId: string,
  role: ReviewRow['subject_role'],
): Promise<number[]> {
  const rows = await db
    .selectFrom('mvp_core.social_reviews')
    .select('rating')
    .where('subject_character_id', '=', characterId)
    .where('subject_role', '=', role)
    .execute();
  return rows.map((row) => row.rating);
}
