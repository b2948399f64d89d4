import assert from 'node:assert/strict';
import { cleanHtml, normalizeWhitespace, words } from '../../src/data/clean.ts';

describe('text clean-up', () => {
  it('turns the reviews\' <br /> and other tags into spaces', () => {
    assert.equal(normalizeWhitespace(cleanHtml('Great.<br /><br />Really <i>great</i>!')), 'Great. Really great !');
  });

  it('decodes named and numeric entities', () => {
    assert.equal(cleanHtml('Tom &amp; Jerry&#39;s &quot;show&quot; &#x27;ok&#x27; &lt;3'), 'Tom & Jerry\'s "show" \'ok\' <3');
  });

  it('leaves a lone < and unknown entities alone', () => {
    assert.equal(cleanHtml('a < b and 3<4 &bogus;'), 'a < b and 3<4 &bogus;');
  });

  it('counts words of a normalized text, none for an empty one', () => {
    assert.deepEqual(words(normalizeWhitespace('  one\n two\tthree ')), ['one', 'two', 'three']);
    assert.deepEqual(words(''), []);
  });
});
