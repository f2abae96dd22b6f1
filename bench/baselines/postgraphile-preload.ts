// PostGraphile 5 declares Node.js 22 and calls Promise.withResolvers (Node.js 22, ES2024). The
// benchmark runs on Node.js 20, so this adds that one method, as the ES2024 specification
// defines it, before PostGraphile loads. It is loaded only into the PostGraphile peer process.

interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

const PromiseConstructor = Promise as PromiseConstructor & {
  withResolvers?: <T>() => Resolvers<T>;
};

if (typeof PromiseConstructor.withResolvers !== 'function') {
  Object.defineProperty(PromiseConstructor, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(this: PromiseConstructor): Resolvers<T> {
      let resolve!: Resolvers<T>['resolve'];
      let reject!: Resolvers<T>['reject'];
      const promise = new this<T>((onResolve, onReject) => {
        resolve = onResolve;
        reject = onReject;
      });
      return { promise, resolve, reject };
    },
  });
}
