/**
 * Bundled input for text_2_speech_censoring: two short reviews written for this example and a
 * mild word list standing in for a profanity dictionary (the pipeline is what matters, not the words).
 */
export const TEXTS: Record<string, string> = {
  short: 'The darn soup was cold and the heck of a wait was forty minutes, but the bread was lovely.',
  long: `We booked a table for eight and waited until nine. The host was rude, the darn music was loud,
and the crud on the floor suggested nobody had cleaned since lunch. The pasta, to be fair, was great:
fresh, well seasoned, and served hot. The dessert was a heck of a treat. Still, for these prices the
service should not feel like such a dang chore. We might come back for the pasta, but not on a Friday.`,
};

/** Words the censor silences (whole words, any case). */
export const CENSORED_WORDS = ['darn', 'heck', 'crud', 'dang'];
