//! Toponym resolution: the places an article names, resolved to gazetteer entries (GeoNames
//! ids or the curated supplement, coordinates, admin units, ACLED precision) — or honestly left
//! unresolved.

pub mod gazetteer;
pub mod resolve;

pub use gazetteer::{Cue, Entry, Gazetteer, GeoDataError, Level};
pub use resolve::{GeoInput, Geocoder, km};

#[cfg(test)]
mod tests;
