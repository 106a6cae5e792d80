"""The Plonkish proving system: gates, circuit builder, prover and verifier."""
