/**
 * The fixed set of reactions (issue 17): each one emoji. Apart from the schemas (no zod here),
 * so the app can list them without bringing the validator into its bundle.
 */
export const REACTIONS = ['👍', '👏', '❤️', '😂', '😮', '🎉'] as const;
export type Reaction = (typeof REACTIONS)[number];

/** What a screen reader says for each. */
export const REACTION_NAMES: Readonly<Record<Reaction, string>> = {
  '👍': 'Thumbs up',
  '👏': 'Clapping',
  '❤️': 'Heart',
  '😂': 'Laughing',
  '😮': 'Surprised',
  '🎉': 'Celebrating',
};
