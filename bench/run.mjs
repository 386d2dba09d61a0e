// Benchmarks arrive with the benchmark issue: engine throughput and latency against BullMQ,
// graphile-worker and pg-boss, batch items with credits, HTTP polling against plain Fastify,
// and status-route latency at 10k/100k/1M jobs. Until then this says so and exits cleanly.
console.log('longrun benchmarks are not written yet; they come with the benchmark issue (see README, "Performance").');
