//! The templates as build.rs compiled them: `TEMPLATES` (each name and
//! text); `compiled(name)`, which turns build.rs's static copy of a compiled
//! template into handlebars' own `Template`; and `partial_calls(name)`.

use std::collections::HashMap;
use std::sync::LazyLock;

use handlebars::template::{
    BlockParam, DecoratorTemplate, ExpressionSpec, ExpressionSpecBuilder, HelperTemplate,
    Parameter, Subexpression, Template, TemplateElement, TemplateMapping,
};
use handlebars::{Path, PathSeg};

// `TEMPLATES`; `COMPILED`, each template's name, index in `TS` and partial
// calls in `CALLS`; and the arrays below.
include!(concat!(env!("OUT_DIR"), "/templates.rs"));

/// The template `name`, as handlebars compiles its text; None for no such
/// template.
pub fn compiled(name: &str) -> Option<Template> {
    COMPILED
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, t, _)| TS[*t as usize].template())
}

/// Each partial the template `name` calls, once, and whether every call
/// stands behind an `{{#if}}` or `{{#unless}}` (`partial_calls.rs`).
pub fn partial_calls(name: &str) -> impl Iterator<Item = (&'static str, bool)> {
    let calls = COMPILED
        .iter()
        .find(|(n, _, _)| *n == name)
        .map_or(&[][..], |(_, _, calls)| items(&CALLS, *calls));
    calls
        .iter()
        .map(|(partial, behind_if)| (text(*partial), *behind_if))
}

// A compiled template, in types a `static` holds as plain data: handlebars'
// own need the heap, and references would each be relocated at every start.
// Each mirrors the handlebars type of the same shape, and refers to others
// by index into the arrays build.rs writes: `TS`, `ELEMENTS`, `MAPPINGS`,
// `PARAMS`, `HASHES`, `SEGMENTS`, and `STRINGS` for text. build.rs writes
// whichever shapes the templates use, and the test every shape.

/// Items `(start, length)` of one of those arrays, or text of `STRINGS`.
type Span = (u32, u32);
type Str = Span;

/// `Template`: its elements, and the line and column each starts at (an
/// inline partial's body has none).
struct T {
    name: Option<Str>,
    /// In `ELEMENTS`.
    elements: Span,
    /// In `MAPPINGS`.
    mapping: Span,
}

/// `TemplateElement`.
#[cfg_attr(not(test), allow(dead_code))]
enum E {
    Raw(Str),
    Comment(Str),
    Helper(HelperKind, H),
    Decorator(DecoratorKind, D),
}

/// The `TemplateElement`s that hold a `HelperTemplate`.
#[cfg_attr(not(test), allow(dead_code))]
#[derive(Clone, Copy)]
enum HelperKind {
    Expression,
    HtmlExpression,
    HelperBlock,
}

/// The `TemplateElement`s that hold a `DecoratorTemplate`.
#[cfg_attr(not(test), allow(dead_code))]
#[derive(Clone, Copy)]
enum DecoratorKind {
    DecoratorExpression,
    DecoratorBlock,
    PartialExpression,
    PartialBlock,
}

/// `HelperTemplate`; `params` in `PARAMS`, `hash` in `HASHES`, templates
/// by index in `TS`.
struct H {
    name: P,
    params: Span,
    hash: Span,
    block_param: Option<Bp>,
    block: bool,
    chain: bool,
    indent_before_write: bool,
    template: Option<u32>,
    inverse: Option<u32>,
}

/// `DecoratorTemplate`, the same way.
struct D {
    name: P,
    params: Span,
    hash: Span,
    template: Option<u32>,
    indent: Option<Str>,
    indent_before_write: bool,
}

/// `Parameter`.
#[cfg_attr(not(test), allow(dead_code))]
enum P {
    Name(Str),
    /// A path of names only, e.g. `request.url`: its text, its names (in
    /// `SEGMENTS`).
    Named(Str, Span),
    /// A path with `../` or `@root`, whose segments handlebars keeps to
    /// itself: its own path parser reads it.
    Parsed(Str),
    /// `@index`, `../@key`: levels up, name, text.
    Local(usize, Str, Str),
    /// A literal, as JSON text.
    Literal(Str),
    /// A subexpression: its helper (one item of `PARAMS`), parameters, hash.
    Sub(Span, Span, Span),
}

/// `BlockParam`.
#[cfg_attr(not(test), allow(dead_code))]
enum Bp {
    Single(P),
    Pair(P, P),
}

fn text(s: Str) -> &'static str {
    &STRINGS[s.0 as usize..(s.0 + s.1) as usize]
}

fn items<X>(all: &'static [X], span: Span) -> &'static [X] {
    &all[span.0 as usize..(span.0 + span.1) as usize]
}

impl T {
    fn template(&self) -> Template {
        let mut t = Template::new();
        t.name = self.name.map(|n| text(n).to_string());
        t.elements = items(&ELEMENTS, self.elements)
            .iter()
            .map(E::element)
            .collect();
        t.mapping = items(&MAPPINGS, self.mapping)
            .iter()
            .map(|(line, column)| mapping(*line as usize, *column as usize))
            .collect();
        t
    }
}

impl E {
    fn element(&self) -> TemplateElement {
        match self {
            E::Raw(s) => TemplateElement::RawString(text(*s).to_string()),
            E::Comment(s) => TemplateElement::Comment(text(*s).to_string()),
            E::Helper(kind, h) => {
                let h = Box::new(h.helper());
                match kind {
                    HelperKind::Expression => TemplateElement::Expression(h),
                    HelperKind::HtmlExpression => TemplateElement::HtmlExpression(h),
                    HelperKind::HelperBlock => TemplateElement::HelperBlock(h),
                }
            }
            E::Decorator(kind, d) => {
                let d = Box::new(d.decorator());
                match kind {
                    DecoratorKind::DecoratorExpression => TemplateElement::DecoratorExpression(d),
                    DecoratorKind::DecoratorBlock => TemplateElement::DecoratorBlock(d),
                    DecoratorKind::PartialExpression => TemplateElement::PartialExpression(d),
                    DecoratorKind::PartialBlock => TemplateElement::PartialBlock(d),
                }
            }
        }
    }
}

impl H {
    fn helper(&self) -> HelperTemplate {
        let mut h = blank_helper(self.indent_before_write);
        h.name = self.name.parameter();
        h.params = parameters(self.params);
        h.hash = hash(self.hash);
        h.block_param = self.block_param.as_ref().map(|bp| match bp {
            Bp::Single(p) => BlockParam::Single(p.parameter()),
            Bp::Pair(a, b) => BlockParam::Pair((a.parameter(), b.parameter())),
        });
        h.block = self.block;
        h.chain = self.chain;
        h.template = self.template.map(built);
        h.inverse = self.inverse.map(built);
        h
    }
}

impl D {
    fn decorator(&self) -> DecoratorTemplate {
        let mut d = blank_decorator(self.indent_before_write);
        d.name = self.name.parameter();
        d.params = parameters(self.params);
        d.hash = hash(self.hash);
        d.template = self.template.map(built);
        d.indent = self.indent.map(|i| text(i).to_string());
        d
    }
}

// handlebars keeps three things to itself: `indent_before_write` and
// `TemplateMapping`'s constructor, and `ExpressionSpec`'s fields but through
// a builder that copies them. The rest is public, so each helper, decorator
// and mapping starts as a copy of a blank one (nothing to allocate) whose
// public fields are then set.

fn blank_helper(indent_before_write: bool) -> HelperTemplate {
    static BLANK: LazyLock<[HelperTemplate; 2]> = LazyLock::new(|| {
        [false, true].map(|indent| HelperTemplate::new(blank_spec(), false, indent))
    });
    BLANK[usize::from(indent_before_write)].clone()
}

fn blank_decorator(indent_before_write: bool) -> DecoratorTemplate {
    static BLANK: LazyLock<[DecoratorTemplate; 2]> =
        LazyLock::new(|| [false, true].map(|indent| DecoratorTemplate::new(blank_spec(), indent)));
    BLANK[usize::from(indent_before_write)].clone()
}

fn blank_spec() -> ExpressionSpec {
    ExpressionSpecBuilder::default()
        .name(Parameter::Name(String::new()))
        .params(Vec::new())
        .hash(HashMap::new())
        .omit_pre_ws(false)
        .omit_pro_ws(false)
        .build()
        .expect("every field is set")
}

fn mapping(line: usize, column: usize) -> TemplateMapping {
    static BLANK: LazyLock<TemplateMapping> = LazyLock::new(|| {
        Template::compile("x")
            .expect("a one-character template compiles")
            .mapping
            .swap_remove(0)
    });
    let mut m = BLANK.clone();
    m.0 = line;
    m.1 = column;
    m
}

impl P {
    fn parameter(&self) -> Parameter {
        match self {
            P::Name(n) => Parameter::Name(text(*n).to_string()),
            P::Named(raw, names) => Parameter::Path(Path::Relative((
                items(&SEGMENTS, *names)
                    .iter()
                    .map(|n| PathSeg::Named(text(*n).to_string()))
                    .collect(),
                text(*raw).to_string(),
            ))),
            P::Parsed(raw) => {
                Parameter::Path(Path::parse(text(*raw)).expect("build.rs read this path"))
            }
            P::Local(level, name, raw) => Parameter::Path(Path::Local((
                *level,
                text(*name).to_string(),
                text(*raw).to_string(),
            ))),
            P::Literal(json) => Parameter::Literal(
                serde_json::from_str(text(*json)).expect("build.rs wrote this JSON"),
            ),
            P::Sub(name, params, h) => Parameter::Subexpression(Subexpression::new(
                items(&PARAMS, *name)[0].parameter(),
                parameters(*params),
                hash(*h),
            )),
        }
    }
}

/// The template at `index` in `TS`.
fn built(index: u32) -> Template {
    TS[index as usize].template()
}

fn parameters(params: Span) -> Vec<Parameter> {
    items(&PARAMS, params).iter().map(P::parameter).collect()
}

fn hash(pairs: Span) -> HashMap<String, Parameter> {
    items(&HASHES, pairs)
        .iter()
        .map(|(k, v)| (text(*k).to_string(), v.parameter()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the binary builds is exactly what handlebars compiles from the
    /// text, down to each element's line and column.
    #[test]
    fn every_template_is_built_as_handlebars_compiles_its_text() {
        assert_eq!(COMPILED.len(), TEMPLATES.len());
        for (name, text) in TEMPLATES {
            let ours = compiled(name).expect("a template of that name");
            let theirs = Template::compile_with_name(text, (*name).to_string()).unwrap();
            assert!(ours == theirs, "{name}:\n{ours:#?}\n!=\n{theirs:#?}");
        }
        assert!(compiled("no_such_template").is_none());
    }

    /// So for the shapes no template uses yet.
    #[test]
    fn every_shape_is_built_as_handlebars_compiles_it() {
        let (shape_text, t) = EVERY_SHAPE;
        let ours = built(t);
        let theirs = Template::compile_with_name(shape_text, "every_shape".into()).unwrap();
        assert!(ours == theirs, "{ours:#?}\n!=\n{theirs:#?}");
        let shapes = format!("{ours:?}");
        for shape in [
            "HtmlExpression",
            "HelperBlock",
            "PartialExpression",
            "PartialBlock",
            "DecoratorExpression",
            "DecoratorBlock",
            "Subexpression",
            "Pair(",
            "Single(",
            "Local(",
            "Literal(",
            "Comment(",
            "Ruled(",
        ] {
            assert!(shapes.contains(shape), "EVERY_SHAPE has no {shape}");
        }
    }
}
