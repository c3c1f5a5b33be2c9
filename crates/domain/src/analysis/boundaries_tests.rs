use super::*;
use crate::place::testdata::read;

fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Ring {
    vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
}

fn area(polygons: Vec<Vec<Ring>>) -> Area {
    Area {
        code: "XX-A".into(),
        name: "A".into(),
        name_fr: Some("Ä".into()),
        pcode: None,
        country: None,
        bbox: bbox(&polygons),
        polygons,
    }
}

#[test]
fn douglas_peucker_keeps_what_lies_beyond_the_tolerance() {
    let zigzag = [(0.0, 0.0), (1.0, 1.0), (2.0, 0.0), (3.0, 1.0), (4.0, 0.0)];
    // Farthest from (0,0)–(4,0) are (1,1) and (3,1), at exactly 1: not beyond a tolerance of 1.
    assert_eq!(douglas_peucker(&zigzag, 1.0), vec![(0.0, 0.0), (4.0, 0.0)]);
    // At 0.5 (1,1) is kept; then (2,0) and (3,1) lie 0.632 from (1,1)–(4,0): all are kept.
    assert_eq!(douglas_peucker(&zigzag, 0.5), zigzag.to_vec());
    // Points on the line are dropped even at a zero tolerance.
    assert_eq!(
        douglas_peucker(&[(0.0, 0.0), (1.0, 0.0), (2.0, 0.0)], 0.0),
        vec![(0.0, 0.0), (2.0, 0.0)]
    );
    // A point beyond the end of the chord is measured to the nearer end, not to the line.
    assert_eq!(
        douglas_peucker(&[(0.0, 0.0), (3.0, 0.0), (2.0, 0.0)], 0.5),
        vec![(0.0, 0.0), (3.0, 0.0), (2.0, 0.0)]
    );
    assert_eq!(douglas_peucker(&[(0.0, 0.0)], 1.0), vec![(0.0, 0.0)]);
}

#[test]
fn a_point_in_a_hole_is_outside_and_either_polygon_counts() {
    let a = area(vec![
        vec![square(0.0, 0.0, 10.0, 10.0), square(4.0, 4.0, 6.0, 6.0)],
        vec![square(20.0, 0.0, 22.0, 2.0)],
    ]);
    assert!(a.contains(2.0, 2.0));
    assert!(!a.contains(5.0, 5.0), "in the hole");
    assert!(a.contains(21.0, 1.0), "second polygon");
    assert!(!a.contains(15.0, 5.0) && !a.contains(-1.0, 5.0) && !a.contains(5.0, 11.0));
    assert_eq!(a.bbox, [0.0, 0.0, 22.0, 10.0]);
    assert_eq!(a.point_count(), 15);
    assert_eq!((a.name_in("fr"), a.name_in("en")), ("Ä", "A"));
}

#[test]
fn simplifying_drops_rings_that_collapse_and_their_holes() {
    // A ring of 8 points, 4 of them mid-edge: at any tolerance it becomes the 5-point square.
    let ring = vec![
        (0.0, 0.0),
        (1.0, 0.0),
        (2.0, 0.0),
        (2.0, 1.0),
        (2.0, 2.0),
        (1.0, 2.0),
        (0.0, 2.0),
        (0.0, 1.0),
        (0.0, 0.0),
    ];
    // A sliver that collapses to its two ends at a tolerance of 0.1.
    let sliver = vec![
        (5.0, 5.0),
        (5.05, 5.01),
        (5.1, 5.0),
        (5.05, 4.99),
        (5.0, 5.0),
    ];
    let b = Boundaries {
        areas: vec![area(vec![
            vec![ring],
            vec![sliver, square(5.0, 5.0, 6.0, 6.0)],
        ])],
    };
    let s = b.simplified(0.1);
    assert_eq!(
        s.areas()[0].polygons,
        vec![vec![square(0.0, 0.0, 2.0, 2.0)]]
    );
}

#[test]
fn paths_are_relative_integers_on_the_grid() {
    let a = area(vec![vec![square(0.0, 0.0, 2.0, 2.0)]]);
    let p = Projection::fit([0.0, 0.0, 2.0, 2.0], 10.0);
    assert_eq!((p.width, p.height), (20, 20));
    assert_eq!(p.xy(0.0, 0.0), (0, 20));
    assert_eq!(p.xy(2.0, 2.0), (20, 0));
    assert_eq!(p.path(&a), "M0 20l20 0 0-20-20 0z");
    // Points that round onto the same grid point are written once; a ring reduced to fewer
    // than three distinct points is not drawn.
    let coarse = Projection::fit([0.0, 0.0, 2.0, 2.0], 0.1);
    assert_eq!(coarse.path(&a), "");
}

#[test]
fn geojson_areas_are_read_and_bad_features_named() {
    let text = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"iso_3166_2":"CD-NK","name":"Nord-Kivu","name_fr":"Nord-Kivu","pcode":"CD61","country":"DRC"},
       "geometry":{"type":"Polygon","coordinates":[[[28,-2],[30,-2],[30,1],[28,1]]]}},
      {"type":"Feature","properties":{"iso_3166_2":"XX-M","name":"Multi","pcode":null},
       "geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]]}}]}"#;
    let b = Boundaries::from_geojson(text).unwrap();
    assert_eq!(b.areas().len(), 2);
    let nk = &b.areas()[0];
    assert_eq!(
        (nk.code.as_str(), nk.pcode.as_deref()),
        ("CD-NK", Some("CD61"))
    );
    // An open ring is closed.
    assert_eq!(nk.polygons[0][0].len(), 5);
    assert_eq!(b.areas()[1].polygons.len(), 2);
    assert_eq!(b.area_at(29.2, -1.7), Some(0));
    assert_eq!(b.area_at(5.9, 5.1), Some(1));
    assert_eq!(b.area_at(50.0, 50.0), None);
    assert_eq!(b.bbox(), [0.0, -2.0, 30.0, 6.0]);

    let no_code = r#"{"features":[{"properties":{"name":"A"},"geometry":{"type":"Polygon","coordinates":[]}}]}"#;
    assert_eq!(
        Boundaries::from_geojson(no_code),
        Err(BoundaryError::Feature {
            index: 0,
            reason: "no iso_3166_2 nor pcode".into()
        })
    );
    let point = r#"{"features":[{"properties":{"name":"A","pcode":"X"},"geometry":{"type":"Point","coordinates":[1,2]}}]}"#;
    assert!(matches!(
        Boundaries::from_geojson(point),
        Err(BoundaryError::Feature { index: 0, .. })
    ));
    let out_of_range = r#"{"features":[{"properties":{"name":"A","pcode":"X"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[200,0],[1,1]]]}}]}"#;
    assert!(Boundaries::from_geojson(out_of_range).is_err());
    assert!(matches!(
        Boundaries::from_geojson("{"),
        Err(BoundaryError::Json(_))
    ));
}

#[test]
fn the_real_boundaries_place_towns_in_their_provinces() {
    let b = Boundaries::from_geojson(&read("admin1-boundaries.geojson")).unwrap();
    assert_eq!(b.areas().len(), 64);
    let code = |lon: f64, lat: f64| b.area_at(lon, lat).map(|i| b.areas()[i].code.as_str());
    assert_eq!(code(29.455, -1.163), Some("CD-NK"), "Kiwanja, Rutshuru");
    assert_eq!(code(28.86, -2.49), Some("CD-SK"), "Bukavu");
    assert_eq!(code(18.555, 4.361), Some("CF-BGF"), "Bangui");
    assert_eq!(code(31.58, 4.85), Some("SS-EC"), "Juba");
    assert_eq!(code(-3.0, 45.0), None);
    let full: usize = b.areas().iter().map(Area::point_count).sum();
    let s = b.simplified(0.02);
    let simple: usize = s.areas().iter().map(Area::point_count).sum();
    assert!(simple * 4 < full, "{simple} of {full} points kept");
    // Every area keeps a shape at the map's tolerance.
    assert!(s.areas().iter().all(|a| !a.polygons.is_empty()));
}
