//! The two shapes of type the model repeats: ids that are UUIDs, and enums whose values have a
//! stable stored name (in the database and on the wire) and a label people read.

/// A UUID id: `new()` makes a fresh one; it is its UUID in JSON and in text.
macro_rules! uuid_id {
    ($(#[$meta:meta])* pub struct $name:ident;) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// A fresh id.
            pub fn new() -> Self {
                Self(uuid::Uuid::new_v4())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

/// An enum of named values: each `Variant = "stored_name" => "Label"`. Gives `ALL` (in the
/// order written), `label`, `as_str` (the stored name, also its JSON) and `parse`.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $stored:literal => $label:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $stored)] $variant, )+
        }

        impl $name {
            pub const ALL: [$name; [$($stored),+].len()] = [$($name::$variant),+];

            /// How people read it.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }

            /// The stable name stored in the database and used on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $stored,)+
                }
            }

            /// The value a stored name names.
            pub fn parse(name: &str) -> Option<Self> {
                Self::ALL.into_iter().find(|value| value.as_str() == name)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    named_enum! {
        /// A test enum.
        pub enum Colour {
            /// The first.
            DarkRed = "dark_red" => "Dark red",
            Blue = "blue" => "Blue",
        }
    }

    uuid_id! {
        /// A test id.
        pub struct ThingId;
    }

    #[test]
    fn named_values_round_trip_through_their_stored_names_and_json() {
        assert_eq!(Colour::ALL, [Colour::DarkRed, Colour::Blue]);
        for colour in Colour::ALL {
            assert_eq!(Colour::parse(colour.as_str()), Some(colour));
            let json = serde_json::to_string(&colour).unwrap();
            assert_eq!(json, format!("\"{}\"", colour.as_str()));
        }
        assert_eq!(Colour::DarkRed.label(), "Dark red");
        assert_eq!(Colour::parse("red"), None);
    }

    #[test]
    fn ids_are_their_uuid_in_json_and_text() {
        let id = ThingId::new();
        assert_ne!(id, ThingId::new());
        assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{}\"", id.0));
        assert_eq!(id.to_string(), id.0.to_string());
    }
}
