// Types for the untyped wink-naive-bayes-text-classifier (only what this service calls).
declare module 'wink-naive-bayes-text-classifier' {
  interface NaiveBayesTextClassifier {
    definePrepTasks(tasks: Array<(input: string) => string[]>): number;
    defineConfig(config: { considerOnlyPresence?: boolean; smoothingFactor?: number }): boolean;
    learn(input: string, label: string): boolean;
    consolidate(): boolean;
    computeOdds(input: string): Array<[string, number]>;
    exportJSON(): string;
    importJSON(json: string): boolean;
  }
  export default function winkNaiveBayes(): NaiveBayesTextClassifier;
}
