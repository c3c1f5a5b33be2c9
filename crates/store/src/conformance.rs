//! The conformance suite: one story every backend must pass, run by each backend's tests over
//! a real connection.
