/** "4.5 ★ (2 ratings)", or "No ratings". */
export function ratingText(average: number | null, count: number): string {
  if (average === null || count === 0) return 'No ratings';
  return `${average.toFixed(1)} ★ (${count} ${count === 1 ? 'rating' : 'ratings'})`;
}

/** A rating's stars, read out as "4 of 5 stars". */
export function Stars({ n }: { n: number }) {
  return (
    <span class="stars-shown" role="img" aria-label={`${n} of 5 stars`}>
      <span aria-hidden="true">{'★'.repeat(n) + '☆'.repeat(5 - n)}</span>
    </span>
  );
}
