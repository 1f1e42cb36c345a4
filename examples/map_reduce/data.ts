/**
 * Bundled input: short restaurant reviews written for this example (no third-party text).
 * Caribou's benchmark counted words of Yelp reviews from S3; here the text ships with the code.
 */
export const DOCUMENTS: Record<string, string> = {
  reviews: `The noodles were fresh and the broth was rich, but the service was slow on a busy Friday night.
Great coffee, friendly staff, and the almond croissant was the best I have had in this city.
We waited forty minutes for a table and the food arrived cold. Not coming back.
The tacos were small but full of flavour; the salsa verde had a real kick to it.
Lovely patio, quiet music, and the waiter remembered our order from last week.
The pizza crust was thin and crisp, the tomato sauce bright, and the basil fresh from the garden.
Prices are high for what you get, though the portions of pasta were generous.
Our server was attentive and honest about which dishes were best that day.
The burger was overcooked and the fries were soggy, which was a shame after such a long wait.
Fresh bread, good olive oil, and a wine list that does not try too hard. We will return.
The dumplings were delicate, the chili oil fragrant, and the tea refilled without asking.
Breakfast was excellent: fluffy pancakes, crisp bacon, and strong coffee.
The soup was salty and the salad was wilted; the dessert saved the evening.
Friendly owner, clean tables, and the curry was as spicy as promised.
It was loud, crowded and slow, but the ramen was worth every minute of the wait.
A quiet place for a long lunch; the fish was fresh and the vegetables perfectly cooked.
The vegan options were creative and the staff explained every dish with care.
Too expensive for cold food and a rude host. The coffee was fine.
The cake was moist, the frosting light, and the espresso pulled with care.
Service was quick, the sandwiches were huge, and the pickles were made in house.
The sushi rice was warm and well seasoned; the fish tasted of the sea in the best way.
Parking was hard to find but the brunch made up for it: eggs, toast, jam and fresh juice.
The steak was tender, the sauce rich, and the waiter suggested a wine that matched it well.
The kitchen forgot our order twice. The manager apologised and the meal was free.
Lovely bakery with warm bread every morning and a line out the door by eight.
The curry was mild, the naan was soft, and the mango lassi was sweet and cold.
Small menu, big flavours; every dish we tried was seasoned with care.
The room was cold and the music too loud, but the noodles were excellent again.
Good food, fair prices, friendly staff: everything a neighbourhood place should be.
The ice cream was creamy and the waffle cone was still warm from the iron.`,
  pangrams: `The quick brown fox jumps over the lazy dog.
Pack my box with five dozen liquor jugs.
How vexingly quick daft zebras jump!
Sphinx of black quartz, judge my vow.`,
};
