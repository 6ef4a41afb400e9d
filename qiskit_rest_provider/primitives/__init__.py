"""``EstimatorV2`` and ``SamplerV2`` over the runtime REST API."""
