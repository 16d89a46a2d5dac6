//! An IAM/STS call's form parameters, and IAM's checks of names, paths
//! and lists (`Tags.member.1.Key`).

use super::IamApiError;

/// The decoded `name=value` pairs of a form body.
pub(crate) struct Form {
    pairs: Vec<(String, String)>,
}

impl Form {
    /// Decodes a form body (`+` is a space, as forms write it).
    pub(crate) fn parse(body: &[u8]) -> Form {
        Form {
            pairs: form_urlencoded::parse(body).into_owned().collect(),
        }
    }

    /// A form of these pairs.
    pub(crate) fn from_pairs(pairs: Vec<(String, String)>) -> Form {
        Form { pairs }
    }

    /// The value of `name`, if sent.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of `name`, or IAM's `ValidationError`.
    pub(crate) fn required(&self, name: &str) -> Result<&str, IamApiError> {
        self.get(name).filter(|v| !v.is_empty()).ok_or_else(|| {
            IamApiError::validation(format!(
                "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                lower_first(name)
            ))
        })
    }

    /// An IAM name parameter (`UserName`, `RoleName`…): 1 to `max`
    /// characters of `[\w+=,.@-]`.
    pub(crate) fn name(&self, param: &str, max: usize) -> Result<&str, IamApiError> {
        let v = self.required(param)?;
        check_name(param, v, max)?;
        Ok(v)
    }

    /// A new name (`NewUserName`…), if sent: checked as [`Form::name`].
    pub(crate) fn new_name(&self, param: &str, max: usize) -> Result<Option<String>, IamApiError> {
        match self.get(param) {
            Some(n) => {
                check_name(param, n, max)?;
                Ok(Some(n.to_string()))
            }
            None => Ok(None),
        }
    }

    /// A new path (`NewPath`), if sent: checked as [`Form::path`].
    pub(crate) fn new_path(&self, param: &str) -> Result<Option<String>, IamApiError> {
        match self.get(param) {
            Some(_) => self.path(param).map(Some),
            None => Ok(None),
        }
    }

    /// The `Path` parameter (`/` when not sent): `/`, or `/…/` of
    /// printable ASCII, at most 512 characters.
    pub(crate) fn path(&self, param: &str) -> Result<String, IamApiError> {
        let p = self.get(param).unwrap_or("/");
        let ok = p.len() <= 512
            && p.starts_with('/')
            && p.ends_with('/')
            && p.bytes().all(|b| (0x21..=0x7e).contains(&b));
        if !ok {
            return Err(IamApiError::validation(format!(
                "The specified value for {} is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.",
                lower_first(param)
            )));
        }
        Ok(p.to_string())
    }

    /// A whole-number parameter within `range`, if sent.
    pub(crate) fn number(
        &self,
        param: &str,
        range: std::ops::RangeInclusive<u64>,
    ) -> Result<Option<u64>, IamApiError> {
        let Some(v) = self.get(param) else {
            return Ok(None);
        };
        match v.parse::<u64>() {
            Ok(n) if range.contains(&n) => Ok(Some(n)),
            _ => Err(IamApiError::validation(format!(
                "1 validation error detected: Value '{v}' at '{}' failed to satisfy constraint: Member must have value between {} and {}",
                lower_first(param),
                range.start(),
                range.end()
            ))),
        }
    }

    /// The members of list `name` (`name.member.1`, `name.member.2`…), in
    /// order.
    pub(crate) fn list(&self, name: &str) -> Vec<&str> {
        let prefix = format!("{name}.member.");
        let mut items: Vec<(u32, &str)> = self
            .pairs
            .iter()
            .filter_map(|(k, v)| {
                let n = k.strip_prefix(&prefix)?.parse().ok()?;
                Some((n, v.as_str()))
            })
            .collect();
        items.sort_by_key(|(n, _)| *n);
        items.into_iter().map(|(_, v)| v).collect()
    }

    /// The `Tags` list (`Tags.member.N.Key`/`.Value`), checked as IAM
    /// does (keys 1–128 characters, values up to 256, at most 50).
    pub(crate) fn tags(&self) -> Result<Vec<(String, String)>, IamApiError> {
        let mut tags: Vec<(u32, String, String)> = Vec::new();
        for (k, v) in &self.pairs {
            let Some(rest) = k.strip_prefix("Tags.member.") else {
                continue;
            };
            let Some((n, field)) = rest.split_once('.') else {
                continue;
            };
            let Ok(n) = n.parse::<u32>() else {
                continue;
            };
            let i = match tags.iter().position(|t| t.0 == n) {
                Some(i) => i,
                None => {
                    tags.push((n, String::new(), String::new()));
                    tags.len() - 1
                }
            };
            match field {
                "Key" => tags[i].1.clone_from(v),
                "Value" => tags[i].2.clone_from(v),
                _ => {}
            }
        }
        tags.sort_by_key(|t| t.0);
        if tags.len() > 50 {
            return Err(IamApiError::new(
                "LimitExceeded",
                409,
                "Cannot exceed quota for TagsPerEntity: 50",
            ));
        }
        for (_, k, v) in &tags {
            if k.is_empty() || k.len() > 128 || v.len() > 256 {
                return Err(IamApiError::validation(
                    "A tag's key must have 1 to 128 characters and its value at most 256.",
                ));
            }
        }
        Ok(tags.into_iter().map(|(_, k, v)| (k, v)).collect())
    }
}

/// Refuses an IAM name that is empty, longer than `max` or holds a
/// character outside `[\w+=,.@-]`.
pub(crate) fn check_name(param: &str, v: &str, max: usize) -> Result<(), IamApiError> {
    let ok = !v.is_empty()
        && v.chars().count() <= max
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(IamApiError::validation(format!(
            "The specified value for {} is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-",
            lower_first(param)
        )))
    }
}

/// `UserName` → `userName`, as IAM names parameters in messages.
fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// One page of a list sorted by lower-cased name, after the `Marker`
/// (the last name of the page before) and at most `MaxItems` (1–1000,
/// default 100) long: the page and the next marker if more follow.
pub(crate) fn page<T>(
    form: &Form,
    mut items: Vec<(String, T)>,
) -> Result<(Vec<T>, Option<String>), IamApiError> {
    let max = form.number("MaxItems", 1..=1000)?.unwrap_or(100) as usize;
    items.sort_by_cached_key(|a| a.0.to_lowercase());
    let marker = form.get("Marker").map(str::to_lowercase);
    let mut rest: Vec<(String, T)> = items
        .into_iter()
        .filter(|(k, _)| {
            marker
                .as_deref()
                .is_none_or(|m| k.to_lowercase().as_str() > m)
        })
        .collect();
    let next = (rest.len() > max).then(|| rest[max - 1].0.to_lowercase());
    rest.truncate(max);
    Ok((rest.into_iter().map(|(_, t)| t).collect(), next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode_lists_tags_and_refuse_bad_names() {
        let f = Form::parse(
            b"Action=CreateUser&UserName=al+ice&Tags.member.2.Key=b&Tags.member.1.Key=a&Tags.member.1.Value=x%20y&Tags.member.2.Value=&TagKeys.member.2=z&TagKeys.member.1=y&Path=%2Fops%2F",
        );
        assert_eq!(f.get("UserName"), Some("al ice"));
        assert!(f.name("UserName", 64).is_err());
        assert_eq!(
            f.tags().unwrap(),
            vec![("a".into(), "x y".into()), ("b".into(), String::new())]
        );
        assert_eq!(f.list("TagKeys"), vec!["y", "z"]);
        assert_eq!(f.path("Path").unwrap(), "/ops/");
        assert_eq!(f.path("Missing").unwrap(), "/");
        assert!(Form::parse(b"Path=ops").path("Path").is_err());
        let e = f.required("RoleName").unwrap_err();
        assert_eq!(e.code, "ValidationError");
        assert!(e.message.contains("'roleName'"));
        assert_eq!(
            Form::parse(b"D=900").number("D", 900..=3600).unwrap(),
            Some(900)
        );
        assert!(Form::parse(b"D=899").number("D", 900..=3600).is_err());
        assert!(Form::parse(b"D=x").number("D", 900..=3600).is_err());
        assert!(check_name("UserName", &"a".repeat(65), 64).is_err());
        assert!(check_name("UserName", "a_b+c=d,e.f@g-h", 64).is_ok());
    }
}
