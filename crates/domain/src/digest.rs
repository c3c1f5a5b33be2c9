//! The daily alert tracking digest for coordinators.
