/** The part of the `sentiment` package (AFINN-165, no bundled types) that src/rewards uses. */
declare module 'sentiment' {
  interface AnalysisResult {
    /** The sum of the AFINN scores (-5..5) of the words found, negation applied. */
    score: number;
    /** score divided by the number of tokens (0 for an empty text). */
    comparative: number;
    tokens: string[];
    words: string[];
    positive: string[];
    negative: string[];
  }
  class Sentiment {
    analyze(phrase: string): AnalysisResult;
  }
  export default Sentiment;
}
