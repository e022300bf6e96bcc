//! Which partials a compiled template calls, and whether each call stands
//! behind an `{{#if}}` or `{{#unless}}`: build.rs includes this file to
//! write the list for every template, and the crate's tests check it.

use handlebars::template::{Template, TemplateElement};

/// Each partial `t` calls by name, once, with whether every call of it
/// stands behind an `{{#if}}` or `{{#unless}}` (either branch; a loop's body
/// counts as reached). A partial named by a subexpression is left out: only
/// a render knows its name.
pub fn partial_calls(t: &Template) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    walk(t, false, &mut out);
    out
}

fn walk(t: &Template, behind_if: bool, out: &mut Vec<(String, bool)>) {
    for element in &t.elements {
        match element {
            TemplateElement::PartialExpression(d) | TemplateElement::PartialBlock(d) => {
                if let Some(name) = d.name.as_name() {
                    match out.iter_mut().find(|(n, _)| n == name) {
                        Some(seen) => seen.1 &= behind_if,
                        None => out.push((name.to_string(), behind_if)),
                    }
                }
                if let Some(body) = &d.template {
                    walk(body, behind_if, out);
                }
            }
            TemplateElement::HelperBlock(h) => {
                let behind_if = behind_if || matches!(h.name.as_name(), Some("if" | "unless"));
                for branch in [&h.template, &h.inverse].into_iter().flatten() {
                    walk(branch, behind_if, out);
                }
            }
            TemplateElement::DecoratorBlock(d) => {
                if let Some(body) = &d.template {
                    walk(body, behind_if, out);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_partials_outside_an_if_are_sure() {
        let text = "{{> a}}{{#each x}}{{> b}}{{/each}}{{#if y}}{{> c}}{{else}}{{> d}}{{/if}}\
                    {{#unless z}}{{#each w}}{{> e}}{{/each}}{{/unless}}{{> f x=1}}\
                    {{#if v}}{{> a}}{{else if u}}{{> g}}{{/if}}{{!-- {{> h}} --}}{{> (dynamic)}}";
        let t = Template::compile(text).unwrap();
        let calls = partial_calls(&t);
        let expect = [
            ("a", false),
            ("b", false),
            ("c", true),
            ("d", true),
            ("e", true),
            ("f", false),
            ("g", true),
        ];
        let expect: Vec<(String, bool)> = expect.iter().map(|(n, b)| (n.to_string(), *b)).collect();
        assert_eq!(calls, expect);
    }
}
