//! A macro for the browser's string enums, so each is declared once with its names.

/// Declares a `Copy` enum (`pub enum Name("what it is" in "public module") { ... }`) whose variants map one-to-one to the browser's strings, with
/// `as_str`, `Display`, `FromStr` (an unknown string is [`crate::error::Error::Parse`]) and serde as
/// the same strings.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($what:literal in $module:literal) {
            $(#[$fmeta:meta])* $first:ident = $ftext:literal,
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )*
        }
    ) => {
        string_enum! {
            @emit $(#[$meta])* $vis enum $name ($what in $module) $first $ftext {
                $(#[$fmeta])* $first = $ftext,
                $( $(#[$vmeta])* $variant = $text, )*
            }
        }
    };
    (
        @emit $(#[$meta:meta])* $vis:vis enum $name:ident ($what:literal in $module:literal) $first:ident $ftext:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// The name the browser uses for this value; `parse` reads it back.
            ///
            #[doc = concat!(
                "```\nlet value = rtcweb::", $module, "::", stringify!($name), "::", stringify!($first), ";\n",
                "assert_eq!(value.as_str(), \"", $ftext, "\");\n",
                "assert_eq!(value.as_str().parse::<rtcweb::", $module, "::", stringify!($name), ">().ok(), Some(value));\n```"
            )]
            pub fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $text, )+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::error::Error;

            fn from_str(s: &str) -> Result<Self, $crate::error::Error> {
                match s {
                    $( $text => Ok($name::$variant), )+
                    other => Err($crate::error::Error::parse($what, format!("unknown value {other:?}"))),
                }
            }
        }

        // By hand through `as_str` and `FromStr`, not derived: a derived enum's visitor is
        // compiled once per enum and per deserializer, a `String`'s once for all of them.
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
